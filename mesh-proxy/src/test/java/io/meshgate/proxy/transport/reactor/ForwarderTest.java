package io.meshgate.proxy.transport.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;

import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.Http10Framing;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/** The forwarder between a real client and a real upstream on loopback, for what the protocols need of it. */
class ForwarderTest {

	private static DisposableServer upstream;

	private static DisposableServer proxy;

	private static ConnectionProvider connections;

	private static final List<String> outcomes = new CopyOnWriteArrayList<>();

	@BeforeEach
	void clear() {
		outcomes.clear();
	}

	@BeforeAll
	static void start() {
		upstream = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.route(routes -> routes
				.ws("/ws", (in, out) -> out.sendString(in.receive().asString().map(text -> "echo: " + text)))
				.ws("/chat", (in, out) -> out.sendString(in.receive().asString().map(text -> in.selectedSubprotocol() + ": " + text)),
						reactor.netty.http.server.WebsocketServerSpec.builder().protocols("chat.v1").build())
				.get("/trailers-only", (request, response) -> response.header("content-type", "application/grpc")
					.header("grpc-status", "5")
					.header("grpc-message", "not found")
					.send())
				.get("/stream", (request, response) -> response.sendString(Flux.interval(Duration.ofMillis(500))
					.take(3)
					.map(i -> "part" + i + ";")))
				.get("/slow-head", (request, response) -> response
					.sendString(Mono.delay(Duration.ofMillis(1500)).map(i -> "late")))
				.get("/with-trailers", (request, response) -> response.header("content-type", "application/grpc")
					.trailerHeaders(trailers -> trailers.set("grpc-status", "0"))
					.sendString(Mono.just("body"))))
			.bindNow();
		connections = ConnectionProvider.create("test", 16);
		Forwarder forwarder = new Forwarder(connections, Duration.ofSeconds(1), null, UpstreamTls.of(null), null);
		String target = "http://127.0.0.1:" + upstream.port();
		ExchangeObserver recorder = exchange -> outcomes.add(exchange.outcome().label() + " " + exchange.status());
		Pipeline pipeline = new Pipeline(Direction.OUTBOUND, List.of(exchange -> {
			String uri = exchange.head().rawTarget();
			if (uri.startsWith("/no-endpoint")) {
				return ProxyError.noEndpoint("test");
			}
			// the service timeout: a deadline for the response head
			exchange.hop(new Hop("test", target, uri, "test", false, Duration.ofSeconds(1)));
			return Verdict.NEXT;
		}), recorder, GoldenMetrics.none().meters(Direction.OUTBOUND, "test", "default", "unknown"));
		proxy = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.doOnChannelInit((observer, channel, remote) -> Http10Framing.install(channel))
			.handle((request, response) -> forwarder.handle(request, response, pipeline))
			.bindNow();
	}

	@AfterAll
	static void stop() {
		proxy.disposeNow();
		upstream.disposeNow();
		connections.dispose();
	}

	@Test
	void relaysWebsocketFramesBothWays() {
		List<String> echoed = HttpClient.create()
			.websocket()
			.uri("ws://127.0.0.1:" + proxy.port() + "/ws")
			.handle((in, out) -> out.sendString(Flux.just("one", "two"))
				.then()
				.thenMany(in.receive().asString().take(2)))
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(echoed).containsExactly("echo: one", "echo: two");
		await().atMost(Duration.ofSeconds(5)).until(() -> !outcomes.isEmpty());
		assertThat(outcomes).as("a session is one exchange, ended once").containsExactly("success 101");
	}

	@Test
	void negotiatesTheCallersSubprotocolWithTheUpstream() {
		List<String> echoed = HttpClient.create()
			.websocket(reactor.netty.http.client.WebsocketClientSpec.builder().protocols("chat.v1").build())
			.uri("ws://127.0.0.1:" + proxy.port() + "/chat")
			.handle((in, out) -> out.sendString(Flux.just("hi"))
				.then()
				.thenMany(in.receive().asString().take(1).map(text -> in.selectedSubprotocol() + " | " + text)))
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(echoed).containsExactly("chat.v1 | chat.v1: hi");
	}

	@Test
	void carriesHttp2TrailersBack() {
		String status = HttpClient.create()
			.protocol(HttpProtocol.H2C)
			.get()
			.uri("http://127.0.0.1:" + proxy.port() + "/with-trailers")
			.response((response, body) -> body.asString().collectList()
				.then(response.trailerHeaders().map(trailers -> String.valueOf(trailers.get("grpc-status")))))
			.blockLast(Duration.ofSeconds(5));
		assertThat(status).isEqualTo("0");
	}

	@Test
	void aTrailersOnlyGrpcAnswerKeepsItsStatusInTheTrailers() {
		String status = HttpClient.create()
			.protocol(HttpProtocol.H2C)
			.get()
			.uri("http://127.0.0.1:" + proxy.port() + "/trailers-only")
			.response((response, body) -> body.asString().collectList()
				.then(response.trailerHeaders()
					.map(trailers -> response.responseHeaders().get("grpc-status") + "/" + trailers.get("grpc-status")
							+ "/" + trailers.get("grpc-message"))))
			.blockLast(Duration.ofSeconds(5));
		assertThat(status).isEqualTo("null/5/not found");
	}

	@Test
	void aResponseThatStreamsLongerThanTheTimeoutIsNotCut() {
		String body = HttpClient.create()
			.protocol(HttpProtocol.H2C)
			.get()
			.uri("http://127.0.0.1:" + proxy.port() + "/stream")
			.responseContent()
			.aggregate()
			.asString()
			.block(Duration.ofSeconds(5));
		assertThat(body).isEqualTo("part0;part1;part2;");
		await().atMost(Duration.ofSeconds(2)).until(() -> !outcomes.isEmpty());
		assertThat(outcomes).containsExactly("success 200");
	}

	@Test
	void noResponseHeadBeforeTheTimeoutIs504() {
		String answer = HttpClient.create()
			.protocol(HttpProtocol.H2C)
			.get()
			.uri("http://127.0.0.1:" + proxy.port() + "/slow-head")
			.responseSingle((response, body) -> body.asString().map(text -> response.status().code() + " " + text))
			.block(Duration.ofSeconds(5));
		assertThat(answer).startsWith("504 ").contains("\"error\":\"timeout\"");
		await().atMost(Duration.ofSeconds(2)).until(() -> !outcomes.isEmpty());
		assertThat(outcomes).containsExactly("timeout 504");
	}

	@Test
	void aGrpcCallerGetsTheProxysErrorAsAGrpcStatus() {
		String status = HttpClient.create()
			.protocol(HttpProtocol.H2C)
			.headers(headers -> headers.set("content-type", "application/grpc").set("te", "trailers"))
			.post()
			.uri("http://127.0.0.1:" + proxy.port() + "/no-endpoint")
			.send(Mono.empty())
			.response((response, body) -> body.asString().collectList()
				.then(response.trailerHeaders()
					.map(trailers -> response.status().code() + " " + response.responseHeaders().get("content-type")
							+ " " + trailers.get("grpc-status") + " " + trailers.get("grpc-message"))))
			.blockLast(Duration.ofSeconds(5));
		assertThat(status).isEqualTo("200 application/grpc 14 service 'test' has no healthy endpoint");
		assertThat(outcomes).containsExactly("no_healthy_endpoint 503");
	}

	@Test
	void anHttp10CallerGetsAStreamedBodyDelimitedByTheClose() throws Exception {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port())) {
			socket.setSoTimeout(5000);
			socket.getOutputStream()
				.write("GET /stream HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			String answer = new String(socket.getInputStream().readAllBytes(),
					java.nio.charset.StandardCharsets.ISO_8859_1);
			// HTTP/1.0 has no chunked coding (RFC 9112 7): the body ends when the connection does
			assertThat(answer).startsWith("HTTP/1.").doesNotContainIgnoringCase("transfer-encoding")
				.endsWith("\r\n\r\npart0;part1;part2;");
		}
	}
}
