package io.meshgate.proxy.transport.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.H2cUpgradeRefusal;
import io.meshgate.proxy.transport.Http10Framing;
import io.meshgate.proxy.transport.reactor.Forwarder;
import io.meshgate.proxy.transport.relay.Http1Relay;
import io.meshgate.proxy.transport.relay.UpstreamPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * A listener's deadlines and connection cap, and the upstream limits on both transports, against a real listener
 * (relay, reactor-netty, guard, as the agents and the gateway set them up) and a real backend, over sockets.
 */
class ListenerLimitsTest {

	private static final ListenerLimits LIMITS = new ListenerLimits(Duration.ofMillis(400), Duration.ofMillis(800), 4);

	private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private static final AtomicInteger held = new AtomicInteger();

	private static volatile Sinks.Empty<Void> release = Sinks.empty();

	private static LoopResources loops;

	private static DisposableServer backend;

	private static DisposableServer proxy;

	private static ListenerGuard guard;

	private static ConnectionProvider connections;

	private static UpstreamPool pool;

	@BeforeAll
	static void start() {
		loops = LoopResources.create("limits-test", 1, true);
		backend = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.route(routes -> routes.get("/ok", (request, response) -> response.sendString(Mono.just("ok")))
				.get("/hold", (request, response) -> {
					held.incrementAndGet();
					return response.sendString(release.asMono().then(Mono.just("held")));
				})
				// answers later than both of the listener's deadlines: a request in flight is not theirs to cut
				.get("/late", (request, response) -> response
					.sendString(Mono.delay(Duration.ofMillis(1500)).map(tick -> "late"))))
			.bindNow();
		String upstream = "http://127.0.0.1:" + backend.port();
		UpstreamLimits one = new UpstreamLimits(1, 1);
		connections = Forwarder.upstreamPool("limits-test", one);
		UpstreamTls tls = UpstreamTls.of(null);
		Forwarder forwarder = new Forwarder(connections, Duration.ofSeconds(1), loops, tls, null);
		pool = new UpstreamPool(Duration.ofSeconds(1), 8, Duration.ofSeconds(30), tls, null, one, 1);
		Pipeline pipeline = new Pipeline(Direction.OUTBOUND, List.of(exchange -> {
			String path = exchange.head().path();
			exchange.hop(new Hop("svc", upstream, path, "svc", true, null));
			return Verdict.NEXT;
		}), ExchangeObserver.of(List.of()), GoldenMetrics.none().meters(Direction.OUTBOUND, "test", "default", "x"));
		guard = new ListenerGuard("test", LIMITS, registry);
		proxy = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.runOn(loops)
			.doOnChannelInit((observer, channel, remote) -> {
				if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
					H2cUpgradeRefusal.install(channel);
					Http10Framing.install(channel);
					channel.pipeline()
						.addBefore(NettyPipeline.HttpTrafficHandler, "relay", new Http1Relay(() -> pipeline, pool));
				}
				guard.install(channel);
			})
			.handle((request, response) -> forwarder.handle(request, response, pipeline))
			.bindNow();
	}

	@AfterAll
	static void stop() {
		proxy.disposeNow();
		backend.disposeNow();
		connections.dispose();
		pool.close();
		loops.dispose();
	}

	@BeforeEach
	void settle() {
		// the previous test's connections are gone before this one counts
		await().atMost(Duration.ofSeconds(5)).until(() -> guard.connections() == 0);
		release = Sinks.empty();
		held.set(0);
	}

	@Test
	void aRequestHeadThatComesTooSlowlyIsAnswered408AndItsConnectionClosed() throws Exception {
		try (Socket socket = connect()) {
			long start = System.nanoTime();
			socket.getOutputStream().write("GET /ok HTTP/1.1\r\nHost: svc\r\nX-Slow: 1".getBytes(StandardCharsets.US_ASCII));
			String answer = readAll(socket.getInputStream());
			long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(answer).startsWith("HTTP/1.1 408 ")
				.contains("connection: close")
				.contains("\"error\":\"request_timeout\"")
				.contains("\"requestId\":\"");
			assertThat(elapsed).isBetween(350L, 3000L);
		}
		assertThat(count("meshgate.listener.timeouts", "header")).isEqualTo(1);
		assertServing();
	}

	@Test
	void aConnectionWithNoRequestInFlightIsClosedOnceIdle() throws Exception {
		double before = count("meshgate.listener.timeouts", "idle");
		try (Socket silent = connect(); Socket used = connect()) {
			used.getOutputStream().write(get("/ok"));
			assertThat(readResponse(used.getInputStream())).startsWith("HTTP/1.1 200").endsWith("ok");
			long start = System.nanoTime();
			assertThat(used.getInputStream().read()).isEqualTo(-1);
			assertThat(silent.getInputStream().read()).isEqualTo(-1);
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(500L, 3000L);
		}
		assertThat(count("meshgate.listener.timeouts", "idle") - before).isEqualTo(2);
	}

	@Test
	void aRequestInFlightOutlivesBothDeadlinesOnHttp1AndHttp2() throws Exception {
		try (Socket socket = connect()) {
			socket.getOutputStream().write(get("/late"));
			assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("late");
		}
		String viaH2 = HttpClient.create()
			.protocol(HttpProtocol.H2C)
			.get()
			.uri("http://127.0.0.1:" + proxy.port() + "/late")
			.responseContent()
			.aggregate()
			.asString()
			.block(Duration.ofSeconds(10));
		assertThat(viaH2).isEqualTo("late");
	}

	@Test
	void connectionsBeyondTheCapAreClosedAndCountedWhileTheOthersAreServed() throws Exception {
		double before = count("meshgate.listener.connections.refused", null);
		List<Socket> open = new ArrayList<>();
		try {
			for (int i = 0; i < LIMITS.maxConnections(); i++) {
				Socket socket = connect();
				open.add(socket);
				socket.getOutputStream().write(get("/ok"));
				assertThat(readResponse(socket.getInputStream())).endsWith("ok");
			}
			try (Socket over = connect()) {
				assertClosedByProxy(over);
			}
			assertThat(count("meshgate.listener.connections.refused", null) - before).isEqualTo(1);
			// the ones admitted are still served
			open.get(0).getOutputStream().write(get("/ok"));
			assertThat(readResponse(open.get(0).getInputStream())).endsWith("ok");
			open.remove(0).close();
			await().atMost(Duration.ofSeconds(5)).until(() -> guard.connections() == LIMITS.maxConnections() - 1);
			assertServing();
		}
		finally {
			for (Socket socket : open) {
				socket.close();
			}
		}
	}

	@Test
	void theRelayAnswersOverloadedAtOnceBeyondAnEndpointsConnectionsAndQueue() throws Exception {
		overloaded("HTTP/1.1");
	}

	@Test
	void reactorNettyAnswersOverloadedAtOnceBeyondAnEndpointsConnectionsAndQueue() throws Exception {
		overloaded("HTTP/1.0"); // the relay hands HTTP/1.0 to reactor-netty
	}

	/** One endpoint, one connection, one waiting place: the first is served, the second waits, the third is refused. */
	private void overloaded(String version) throws Exception {
		try (Socket first = connect(); Socket second = connect(); Socket third = connect()) {
			first.getOutputStream().write(get("/hold", version));
			await().atMost(Duration.ofSeconds(5)).until(() -> held.get() == 1);
			CompletableFuture<String> secondAnswer = send(second, get("/hold", version));
			CompletableFuture<String> thirdAnswer = send(third, get("/hold", version));
			// which of the two the loop reads first is not this test's business: one waits, one is refused at once
			String refused = (String) CompletableFuture.anyOf(secondAnswer, thirdAnswer).get(5, TimeUnit.SECONDS);
			assertThat(refused).contains(" 503 ").contains("\"error\":\"overloaded\"").contains("service 'svc'")
				.doesNotContain("127.0.0.1");
			assertThat(held.get()).isEqualTo(1);
			release.tryEmitEmpty();
			String waited = secondAnswer.get(5, TimeUnit.SECONDS).equals(refused) ? thirdAnswer.get(5, TimeUnit.SECONDS)
					: secondAnswer.get(5, TimeUnit.SECONDS);
			assertThat(waited).contains(" 200 ").endsWith("held");
			release.tryEmitEmpty();
			assertThat(readResponse(first.getInputStream())).contains(" 200 ").endsWith("held");
		}
		assertServing();
	}

	/** Closed without an answer: an end of stream, or a reset when the proxy closed with the request unread. */
	private static void assertClosedByProxy(Socket socket) {
		try {
			socket.getOutputStream().write(get("/ok"));
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		catch (java.net.SocketException reset) {
			assertThat(reset.getMessage()).containsAnyOf("reset", "Broken pipe");
		}
		catch (IOException ex) {
			throw new AssertionError("not closed by the proxy", ex);
		}
	}

	private static CompletableFuture<String> send(Socket socket, byte[] request) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				socket.getOutputStream().write(request);
				return readResponse(socket.getInputStream());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}, task -> new Thread(task, "limits-test-client").start()); // each blocks on its own thread
	}

	private static void assertServing() throws IOException {
		try (Socket socket = connect()) {
			socket.getOutputStream().write(get("/ok"));
			assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("ok");
		}
	}

	private static double count(String name, String kind) {
		var search = registry.find(name).tag("listener", "test");
		if (kind != null) {
			search = search.tag("kind", kind);
		}
		return search.counter() == null ? 0 : search.counter().count();
	}

	private static Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
		socket.setSoTimeout(10_000);
		return socket;
	}

	private static byte[] get(String path) {
		return get(path, "HTTP/1.1");
	}

	private static byte[] get(String path, String version) {
		return ("GET " + path + " " + version + "\r\nHost: svc\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/** One response: its head, and a body of its Content-Length, or to the end of the connection. */
	private static String readResponse(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != -1) {
			head.write(b);
			if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
				break;
			}
		}
		String text = head.toString(StandardCharsets.US_ASCII);
		int length = -1;
		for (String line : text.split("\r\n")) {
			if (line.toLowerCase().startsWith("content-length:")) {
				length = Integer.parseInt(line.substring(15).trim());
			}
		}
		if (length < 0) {
			return text + readAll(in);
		}
		return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
	}

	private static String readAll(InputStream in) throws IOException {
		try {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("the connection was not closed", ex);
		}
	}
}
