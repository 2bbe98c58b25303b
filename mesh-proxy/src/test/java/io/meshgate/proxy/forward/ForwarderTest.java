package io.meshgate.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
				.get("/with-trailers", (request, response) -> response.header("content-type", "application/grpc")
					.trailerHeaders(trailers -> trailers.set("grpc-status", "0"))
					.sendString(Mono.just("body"))))
			.bindNow();
		connections = ConnectionProvider.create("test", 16);
		Forwarder forwarder = new Forwarder(connections, Duration.ofSeconds(1));
		String target = "http://127.0.0.1:" + upstream.port();
		proxy = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.handle((request, response) -> forwarder.forward(request, response,
					new Hop("test", target, request.uri(), "test", false, null, Hop.UNOBSERVED)))
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
}
