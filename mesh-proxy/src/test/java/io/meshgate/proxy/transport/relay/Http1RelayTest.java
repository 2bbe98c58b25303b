package io.meshgate.proxy.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.proxy.transport.limits.UpstreamLimits;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.H2cUpgradeRefusal;
import io.meshgate.proxy.transport.Http10Framing;
import io.meshgate.proxy.transport.reactor.Forwarder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The relay between real clients (reactor-netty's and raw sockets, for what a client library hides) and real
 * upstreams on loopback: header rules, streamed bodies both ways, connection reuse, pipelining, hand-over to the
 * framework, and every failure it answers itself.
 */
class Http1RelayTest {

	private static final int BIG = 8 * 1024 * 1024;

	private static DisposableServer upstream;

	private static DisposableServer proxy;

	private static ServerSocket eofUpstream;

	private static ConnectionProvider connections;

	private static UpstreamPool pool;

	private static final AtomicInteger upstreamConnections = new AtomicInteger();

	private static final AtomicInteger slowCalls = new AtomicInteger();

	/** Request bodies the upstream received whole: a request cut by the relay must never count here. */
	private static final AtomicInteger bodiesReceived = new AtomicInteger();

	private static final Map<String, String> seenHeaders = new ConcurrentHashMap<>();

	private static final List<String> outcomes = new CopyOnWriteArrayList<>();

	/** Exchanges begun and not ended: a test starts once the previous one's have all ended. */
	private static final AtomicInteger inFlight = new AtomicInteger();

	private static String upstreamAddress;

	@BeforeAll
	static void start() throws IOException {
		upstream = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.doOnChannelInit((observer, channel, remote) -> upstreamConnections.incrementAndGet())
			.route(routes -> routes
				.get("/headers", (request, response) -> {
					seenHeaders.clear();
					request.requestHeaders().forEach(h -> seenHeaders.put(h.getKey().toLowerCase(), h.getValue()));
					seenHeaders.put(":uri", request.uri());
					return response.sendString(Mono.just("ok"));
				})
				.post("/sha256", (request, response) -> request.receive()
					.aggregate()
					.asByteArray()
					.defaultIfEmpty(new byte[0])
					.doOnNext(body -> bodiesReceived.incrementAndGet())
					.flatMap(body -> response.sendString(Mono.just(sha256(body))).then()))
				.get("/big", (request, response) -> response.send(Flux.range(0, BIG / 65536)
					.map(i -> Unpooled.wrappedBuffer(chunk(i)))))
				.get("/slow", (request, response) -> {
					slowCalls.incrementAndGet();
					return response.sendString(Mono.delay(Duration.ofSeconds(3)).map(x -> "late"));
				})
				// a HEAD answer: the length of a body it does not send
				.head("/head", (request, response) -> response.header("content-length", "6").send())
				.post("/early", (request, response) -> response.status(413).sendString(Mono.just("too large")))
				.get("/close", (request, response) -> response.withConnection(c -> c.channel().close()).then())
				.get("/status/{code}", (request, response) -> response
					.status(Integer.parseInt(request.param("code")))
					.sendString(Mono.just("status")))
				.get("/framework", (request, response) -> response.sendString(Mono.just("not expected here"))))
			.bindNow();
		upstreamAddress = "http://127.0.0.1:" + upstream.port();
		eofUpstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
		Thread eof = new Thread(Http1RelayTest::serveEofDelimited, "eof-upstream");
		eof.setDaemon(true);
		eof.start();
		connections = ConnectionProvider.create("relay-test", 16);
		UpstreamTls tls = UpstreamTls.of(null);
		Forwarder forwarder = new Forwarder(connections, Duration.ofSeconds(1), null, tls, null);
		pool = new UpstreamPool(Duration.ofSeconds(1), 8, Duration.ofSeconds(30), tls, null, UpstreamLimits.DEFAULTS, 1);
		ExchangeObserver recorder = new ExchangeObserver() {

			@Override
			public void begun(Exchange exchange) {
				inFlight.incrementAndGet();
			}

			@Override
			public void ended(Exchange exchange) {
				outcomes.add(exchange.outcome().label());
				inFlight.decrementAndGet();
			}
		};
		Pipeline pipeline = new Pipeline(Direction.OUTBOUND, List.of(Http1RelayTest::route), recorder,
				GoldenMetrics.none().meters(Direction.OUTBOUND, "test", "default", "unknown"));
		proxy = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.doOnChannelInit((observer, channel, remote) -> {
				H2cUpgradeRefusal.install(channel);
				Http10Framing.install(channel);
				channel.pipeline()
					.addBefore(NettyPipeline.HttpTrafficHandler, "relay", new Http1Relay(() -> pipeline, pool));
			})
			// what the relay hands over: the reactor-netty path, which answers so a test can tell
			.handle((request, response) -> request.uri().startsWith("/framework")
					? response.header("x-served-by", "framework").sendString(Mono.just("framework"))
					: forwarder.handle(request, response, pipeline))
			.bindNow();
	}

	@AfterAll
	static void stop() throws IOException {
		proxy.disposeNow();
		upstream.disposeNow();
		eofUpstream.close();
		connections.dispose();
		pool.close();
	}

	@BeforeEach
	void clear() {
		await().atMost(Duration.ofSeconds(5)).until(() -> inFlight.get() == 0);
		outcomes.clear();
	}

	/** The exchanges ended so far, by outcome: each is told once, just after its last byte left the relay. */
	private static void assertOutcomes(String... expected) {
		await().atMost(Duration.ofSeconds(2)).until(() -> outcomes.size() >= expected.length);
		assertThat(outcomes).containsExactly(expected);
	}

	/** The test's one pipeline step: where each path goes, or what the proxy answers. */
	private static Verdict route(Exchange exchange) {
		String uri = exchange.head().rawTarget();
		if (uri.startsWith("/framework")) {
			return Verdict.PASS;
		}
		if (uri.startsWith("/late-denied")) {
			return Verdict.later(later(new ProxyError(HttpResponseStatus.FORBIDDEN, Outcome.DENIED, "not now")));
		}
		if (uri.startsWith("/late")) {
			exchange.hop(new Hop("svc", upstreamAddress, "/sha256", "svc.internal", true, null));
			return Verdict.later(later(Verdict.NEXT));
		}
		if (uri.startsWith("/refused")) {
			return hop(exchange, new Hop("gone", "http://127.0.0.1:" + closedPort(), "/", "gone", true, null));
		}
		if (uri.startsWith("/denied")) {
			return new ProxyError(HttpResponseStatus.FORBIDDEN, Outcome.DENIED, "not for you");
		}
		if (uri.startsWith("/eof")) {
			return hop(exchange, new Hop("eof", "http://127.0.0.1:" + eofUpstream.getLocalPort(), "/", "eof", true, null));
		}
		if (uri.startsWith("/hang")) {
			return hop(exchange, new Hop("svc", upstreamAddress, "/slow", "svc.internal", true, null));
		}
		Duration timeout = uri.startsWith("/slow") ? Duration.ofMillis(300) : null;
		return hop(exchange, new Hop("svc", upstreamAddress, uri, "svc.internal", true, timeout));
	}

	private static Verdict hop(Exchange exchange, Hop hop) {
		exchange.hop(hop);
		return Verdict.NEXT;
	}

	/** A step's answer 100 ms from now, from another thread, as a Redis or JWKS call would complete. */
	private static CompletableFuture<Verdict> later(Verdict verdict) {
		return CompletableFuture.supplyAsync(() -> verdict, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
	}

	@Test
	void editsHeadersInPlaceForTheNextHop() throws IOException {
		String answer = exchange("GET /headers?x=1 HTTP/1.1\r\nHost: caller\r\nConnection: keep-alive, x-hop\r\n"
				+ "X-Hop: drop\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nX-Forwarded-For: 10.0.0.1\r\n"
				+ "X-Meshgate-Service: spoofed\r\nX-End: kept\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ok");
		assertThat(seenHeaders).containsEntry(":uri", "/headers?x=1")
			.containsEntry("host", "svc.internal")
			.containsEntry("x-meshgate-service", "svc")
			.containsEntry("x-end", "kept")
			.containsEntry("te", "trailers")
			.containsEntry("x-forwarded-for", "10.0.0.1, 127.0.0.1")
			.containsEntry("x-forwarded-proto", "http")
			.containsEntry("via", "1.1 meshgate")
			.doesNotContainKeys("x-hop", "keep-alive", "connection");
		assertThat(answer).as("the response names the proxy too").containsIgnoringCase("via: 1.1 meshgate");
		assertOutcomes("success");
	}

	@Test
	void streamsLargeBodiesBothWays() {
		byte[] body = new byte[BIG];
		new java.util.Random(7).nextBytes(body);
		HttpClient client = HttpClient.create().port(proxy.port()).host("127.0.0.1");
		String digest = client.post()
			.uri("/sha256")
			.send(Flux.range(0, BIG / 65536).map(i -> Unpooled.wrappedBuffer(body, i * 65536, 65536)))
			.responseContent()
			.aggregate()
			.asString()
			.block(Duration.ofSeconds(20));
		assertThat(digest).isEqualTo(sha256(body));

		MessageDigest received = sha256();
		client.get().uri("/big").responseContent().doOnNext(buf -> {
			byte[] part = new byte[buf.readableBytes()];
			buf.readBytes(part);
			received.update(part);
		}).blockLast(Duration.ofSeconds(20));
		MessageDigest expected = sha256();
		for (int i = 0; i < BIG / 65536; i++) {
			expected.update(chunk(i));
		}
		assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(expected.digest()));
	}

	@Test
	void reusesUpstreamConnectionsAndAnswersPipelinedRequestsInOrder() throws IOException {
		exchange("GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n"); // warms one pooled connection
		int before = upstreamConnections.get();
		try (Socket socket = connect()) {
			send(socket.getOutputStream(), ("GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n"
					+ "GET /status/202 HTTP/1.1\r\nHost: x\r\n\r\nGET /status/203 HTTP/1.1\r\nHost: x\r\n\r\n"));
			String answers = readUntil(socket.getInputStream(), "HTTP/1.1 203", "status");
			assertThat(answers.indexOf("HTTP/1.1 201")).isLessThan(answers.indexOf("HTTP/1.1 202"));
			assertThat(answers.indexOf("HTTP/1.1 202")).isLessThan(answers.indexOf("HTTP/1.1 203"));
		}
		assertThat(upstreamConnections.get() - before).as("new upstream connections").isZero();
	}

	@Test
	void handsOverWhatItDoesNotRelayAndTheConnectionStaysWithTheFramework() throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			send(out, "GET /framework HTTP/1.1\r\nHost: x\r\n\r\n");
			String first = readUntil(socket.getInputStream(), "HTTP/1.1 200", "framework");
			assertThat(first).containsIgnoringCase("x-served-by: framework");
			send(out, "GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 200", "status")).contains("status");
		}
		try (Socket socket = connect()) { // HTTP/1.0: the framework answers and closes
			send(socket.getOutputStream(), "GET /status/200 HTTP/1.0\r\nHost: x\r\n\r\n");
			assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
				.startsWith("HTTP/1.").endsWith("status");
		}
	}

	@Test
	void answersRoutingErrorsItselfAndKeepsTheConnection() throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			send(out, "POST /denied HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
			String denied = readUntil(socket.getInputStream(), "HTTP/1.1 403", "}");
			assertThat(denied).contains("\"error\":\"denied\"").containsIgnoringCase("content-type: application/json");
			send(out, "GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 200", "status")).contains("status");
		}
	}

	@Test
	void aStepAnsweringLaterHoldsTheRequestAndItsBodyThenForwards() throws IOException {
		String answer = exchange("POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
		assertThat(answer).startsWith("HTTP/1.1 200").endsWith(sha256("hello".getBytes(StandardCharsets.UTF_8)));
		assertOutcomes("success");
	}

	@Test
	void aStepAnsweringLaterOnTheFrameworkPathIsHonouredToo() throws IOException {
		try (Socket socket = connect()) {
			send(socket.getOutputStream(), "POST /late HTTP/1.0\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
			String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			assertThat(all).startsWith("HTTP/1.1 200").endsWith(sha256("hello".getBytes(StandardCharsets.UTF_8)));
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> !outcomes.isEmpty());
		assertOutcomes("success");
	}

	@Test
	void aStepRefusingLaterIsAnsweredAndTheConnectionGoesOn() throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			send(out, "POST /late-denied HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 403", "}")).contains("\"error\":\"denied\"");
			send(out, "GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 200", "status")).contains("status");
		}
		assertOutcomes("denied", "success");
	}

	@Test
	void anH2cUpgradeOfferIsDeclinedAndTheRequestRelayedAsHttp11() throws IOException {
		String answer = exchange("GET /status/200 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
				+ "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("101").endsWith("status");
		assertOutcomes("success");
	}

	/** Sends raw bytes and reads until the relay closes the connection. */
	private static String untilClosed(String request) throws IOException {
		try (Socket socket = connect()) {
			socket.setSoTimeout(5000);
			send(socket.getOutputStream(), request);
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		}
	}

	@Test
	void anUnknownTransferCodingIsRefusedTheConnectionClosedAndNothingForwarded() throws IOException {
		int before = bodiesReceived.get();
		// were xchunked taken for no body, the chunk after it would be read as the next request: smuggled
		String answer = untilClosed("POST /sha256 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n"
				+ "2a\r\nGET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 501").containsIgnoringCase("connection: close")
			.contains("transfer coding 'xchunked' is not supported");
		assertThat(answer.split("HTTP/1.1 ", -1)).as("one answer, then the close").hasSize(2);
		assertThat(bodiesReceived.get()).isEqualTo(before);
		assertOutcomes("bad_request");
	}

	@Test
	void aMalformedChunkAbortsTheUpstreamRequestInsteadOfEndingIt() throws IOException {
		int before = bodiesReceived.get();
		String answer = untilClosed("POST /sha256 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400").contains("chunked framing is malformed");
		assertThat(bodiesReceived.get()).as("the upstream never got a cleanly ended request").isEqualTo(before);
		assertThat(exchange("GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n")).as("still serving").endsWith("status");
	}

	@Test
	void twoHostHeadersOrNoneAreRefused() throws IOException {
		assertThat(untilClosed("GET /status/200 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).startsWith("HTTP/1.1 400")
			.contains("more than one Host header");
		assertThat(untilClosed("GET /status/200 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400")
			.contains("needs a Host header");
	}

	@Test
	void refusedConnectionIs502ConnectFailed() throws IOException {
		String answer = exchange("GET /refused HTTP/1.1\r\nHost: x\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 502").contains("\"error\":\"connect_failed\"").contains("service 'gone'");
		assertOutcomes("connect_failed");
	}

	@Test
	void slowUpstreamIs504TimeoutAndItsConnectionIsNotReused() throws IOException {
		String answer = exchange("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 504").contains("\"error\":\"timeout\"").contains("service 'svc'");
		assertOutcomes("timeout");
		assertThat(exchange("GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n")).endsWith("status");
	}

	@Test
	void upstreamClosingBeforeAnsweringIs502UpstreamReset() throws IOException {
		String answer = exchange("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 502").contains("\"error\":\"upstream_reset\"");
		assertOutcomes("upstream_reset");
	}

	@Test
	void bodyEndedByClosingReachesTheCallerChunkedOnAKeptConnection() throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			send(out, "GET /eof HTTP/1.1\r\nHost: x\r\n\r\n");
			String answer = readUntil(socket.getInputStream(), "HTTP/1.1 200", "0\r\n\r\n");
			assertThat(answer).containsIgnoringCase("transfer-encoding: chunked").contains("until the end");
			send(out, "GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 204", "\r\n\r\n")).contains("204");
		}
	}

	@Test
	void callerAskingToCloseGetsConnectionCloseAndTheEnd() throws IOException {
		try (Socket socket = connect()) {
			send(socket.getOutputStream(), "GET /status/200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
			String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // ends at EOF
			assertThat(all).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("status");
		}
	}

	@Test
	void headAnswersEndWithTheirHeadersAndTheConnectionGoesOn() throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			send(out, "HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
			String head = readUntil(socket.getInputStream(), "HTTP/1.1 200", "\r\n\r\n");
			assertThat(head).containsIgnoringCase("content-length: 6").endsWith("\r\n\r\n");
			send(out, "GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 201", "status")).startsWith("HTTP/1.1 201");
		}
	}

	@Test
	void callerLeavingMidExchangeIsCountedOnceAndTheRelayGoesOn() throws Exception {
		int before = slowCalls.get();
		try (Socket socket = connect()) {
			send(socket.getOutputStream(), "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
			await().atMost(Duration.ofSeconds(2)).until(() -> slowCalls.get() > before); // the upstream has it
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> !outcomes.isEmpty());
		assertOutcomes("cancelled"); // the caller's leaving ends the exchange once, as its own outcome
		assertThat(exchange("GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n")).endsWith("status");
		assertOutcomes("cancelled", "success");
	}

	@Test
	void anAnswerBeforeTheWholeBodyReachesTheCallerAndTheConnectionStaysUsable() throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			byte[] body = new byte[4 * 1024 * 1024];
			send(out, "POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n");
			out.write(body);
			String early = readUntil(socket.getInputStream(), "HTTP/1.1 413", "too large");
			assertThat(early).contains("too large");
			send(out, "GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(readUntil(socket.getInputStream(), "HTTP/1.1 200", "status")).contains("status");
		}
	}

	/** One request on its own connection; the answer read until the server closes or the body is complete. */
	private static String exchange(String request) throws IOException {
		try (Socket socket = connect()) {
			send(socket.getOutputStream(), request);
			return readResponse(socket.getInputStream());
		}
	}

	private static void send(OutputStream out, String text) throws IOException {
		out.write(text.getBytes(StandardCharsets.US_ASCII));
	}

	private static Socket connect() throws IOException {
		Socket socket = new Socket("127.0.0.1", proxy.port());
		socket.setSoTimeout(10_000);
		return socket;
	}

	/** Reads one response with a Content-Length body (every answer these tests read whole is one). */
	private static String readResponse(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			head.write(b);
		}
		String headers = head.toString(StandardCharsets.ISO_8859_1);
		int length = 0;
		for (String line : headers.split("\r\n")) {
			if (line.toLowerCase().startsWith("content-length:")) {
				length = Integer.parseInt(line.substring(15).trim());
			}
		}
		return headers + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
	}

	/** Reads until {@code start} was received, followed by {@code end} (or the connection closed). */
	private static String readUntil(InputStream in, String start, String end) throws IOException {
		StringBuilder text = new StringBuilder();
		byte[] buffer = new byte[8192];
		while (!complete(text.toString(), start, end)) {
			int n = in.read(buffer);
			if (n < 0) {
				break;
			}
			text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
		}
		return text.toString();
	}

	private static boolean complete(String text, String start, String end) {
		int at = text.indexOf(start);
		return at >= 0 && text.indexOf(end, at + start.length()) >= 0;
	}

	/** An HTTP/1.1 upstream that ends its body by closing the connection (no Content-Length, not chunked). */
	private static void serveEofDelimited() {
		while (!eofUpstream.isClosed()) {
			try (Socket socket = eofUpstream.accept()) {
				InputStream in = socket.getInputStream();
				StringBuilder head = new StringBuilder();
				while (!head.toString().endsWith("\r\n\r\n")) {
					int b = in.read();
					if (b < 0) {
						break;
					}
					head.append((char) b);
				}
				socket.getOutputStream()
					.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until the end".getBytes(StandardCharsets.US_ASCII));
			}
			catch (IOException closed) {
				// the test is over
			}
		}
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	private static byte[] chunk(int i) {
		byte[] part = new byte[65536];
		java.util.Arrays.fill(part, (byte) i);
		return part;
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String sha256(byte[] body) {
		return HexFormat.of().formatHex(sha256().digest(body));
	}
}
