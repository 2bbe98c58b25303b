package io.meshgate.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.meshgate.client.identity.BundleTrustManager;
import io.meshgate.client.identity.SvidKeyManager;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.transport.reactor.Forwarder;
import io.meshgate.proxy.transport.relay.Http1Relay;
import io.meshgate.proxy.transport.relay.UpstreamPool;
import io.meshgate.proxy.transport.limits.UpstreamLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * Mutual TLS between two proxies on both transports, with real handshakes on loopback: a caller listener (like an
 * agent's outbound one) calls an inbound listener (like another node's) through {@link MeshTls}, HTTP/1.1 on the
 * relay and HTTP/2 through reactor-netty. The inbound side sees the caller's SPIFFE ID from its certificate; callers
 * without a certificate of the mesh fail the handshake, which is counted by reason; a server that is not a node of
 * the mesh is refused by the caller. Plain text reaches the inbound pipeline without an identity.
 */
class MutualTlsTest {

	private static final String ORDERS = "spiffe://test.local/svc/orders";

	private static final TestCa CA = new TestCa("mesh");

	private static final TestCa FOREIGN = new TestCa("foreign");

	private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	/** The callers' identities the inbound pipeline saw, in order ("plain text" for none). */
	private static final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

	private static final AtomicReference<SvidKeyManager.Svid> callerSvid = new AtomicReference<>(CA.svid(ORDERS));

	private static DisposableServer backend;

	private static DisposableServer inbound;

	private static DisposableServer impostor;

	private static DisposableServer caller;

	private static ConnectionProvider connections;

	private static UpstreamPool callerPool;

	private static UpstreamPool inboundPool;

	private static volatile String callerTarget;

	@BeforeAll
	static void start() {
		backend = HttpServer.create().host("127.0.0.1").port(0).protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.handle((request, response) -> response.sendString(Mono.just("backend " + request.version())))
			.bindNow();
		List<X509Certificate> bundle = List.of(CA.root);
		SvidKeyManager.Svid node = CA.svid("spiffe://test.local/node/node-b");
		MeshTls inboundTls = MeshTls.of(() -> node, () -> null, () -> bundle, registry);
		inboundPool = new UpstreamPool(Duration.ofSeconds(1), 8, Duration.ofSeconds(30), UpstreamTls.of(null), null,
				UpstreamLimits.DEFAULTS, 1);
		connections = Forwarder.upstreamPool("mtls-test", UpstreamLimits.DEFAULTS);
		Forwarder plainForwarder = new Forwarder(connections, Duration.ofSeconds(1), null, UpstreamTls.of(null), null);
		String backendUri = "http://127.0.0.1:" + backend.port();
		Pipeline inboundPipeline = new Pipeline(Direction.INBOUND, List.of(exchange -> {
			String peer = exchange.head().peerIdentity();
			seen.add(peer == null ? "plain text" : peer);
			if (peer == null) {
				return ProxyError.mutualTlsRequired("node-b", "svc");
			}
			exchange.hop(new Hop("svc", backendUri, exchange.head().path(), "svc", false, null));
			return Verdict.NEXT;
		}), ExchangeObserver.of(List.of()), GoldenMetrics.none().meters(Direction.INBOUND, "x", "default", "svc"));
		inbound = listener(inboundTls, inboundPipeline, inboundPool, plainForwarder);
		// presents a workload's SVID where a node's is expected
		SvidKeyManager.Svid evil = CA.svid("spiffe://test.local/svc/evil");
		impostor = listener(MeshTls.of(() -> evil, () -> null, () -> bundle, null),
				inboundPipeline, inboundPool, plainForwarder);

		MeshTls callerTls = MeshTls.of(() -> null, callerSvid::get, () -> bundle, registry);
		callerPool = new UpstreamPool(Duration.ofSeconds(1), 8, Duration.ofSeconds(30), UpstreamTls.of(null), callerTls,
				UpstreamLimits.DEFAULTS, 1);
		Forwarder meshForwarder = new Forwarder(connections, Duration.ofSeconds(1), null, UpstreamTls.of(null),
				callerTls);
		Pipeline outbound = new Pipeline(Direction.OUTBOUND, List.of(exchange -> {
			exchange.hop(new Hop("svc", callerTarget, exchange.head().path(), "svc", true, Duration.ofSeconds(5),
					true));
			return Verdict.NEXT;
		}), ExchangeObserver.of(List.of()), GoldenMetrics.none().meters(Direction.OUTBOUND, "x", "default", "svc"));
		caller = listener(null, outbound, callerPool, meshForwarder);
		callerTarget = "http://127.0.0.1:" + inbound.port();
	}

	/**
	 * A listener built like the agents': the relay for HTTP/1.1, reactor-netty for the rest; with {@code tls}, the
	 * mesh's TLS-or-plain-text handler in front.
	 */
	private static DisposableServer listener(MeshTls tls, Pipeline pipeline, UpstreamPool pool, Forwarder forwarder) {
		return HttpServer.create().host("127.0.0.1").port(0).protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.doOnChannelInit((observer, channel, remote) -> {
				if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
					channel.pipeline()
						.addBefore(NettyPipeline.HttpTrafficHandler, "relay", new Http1Relay(() -> pipeline, pool));
				}
				if (tls != null) {
					channel.pipeline().addFirst("tls-or-plain-text", tls.inboundHandler(5_000));
				}
			})
			// HTTP/1.1 that reaches reactor-netty was not relayed: 418 tells the test so
			.handle((request, response) -> request.version().majorVersion() == 1 ? response.status(418).send()
					: forwarder.handle(request, response, pipeline))
			.bindNow();
	}

	@AfterAll
	static void stop() {
		for (DisposableServer server : new DisposableServer[] { caller, inbound, impostor, backend }) {
			server.disposeNow();
		}
		connections.dispose();
		callerPool.close();
		inboundPool.close();
	}

	private static HttpResponse<String> call(HttpClient.Version version) throws Exception {
		seen.clear();
		return HttpClient.newBuilder().version(version).build().send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + caller.port() + "/x")).timeout(Duration.ofSeconds(5)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static double handshakes(String side, String outcome, String reason) {
		var counter = registry.find("meshgate.tls.handshakes").tag("side", side).tag("outcome", outcome)
			.tag("reason", reason).counter();
		return counter == null ? 0 : counter.count();
	}

	@Test
	void http11OverMutualTlsTakesTheRelayAndTheInboundSideKnowsTheCaller() throws Exception {
		HttpResponse<String> response = call(HttpClient.Version.HTTP_1_1);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("backend HTTP/1.1");
		assertThat(seen.poll(1, TimeUnit.SECONDS)).isEqualTo(ORDERS);
		assertThat(handshakes("inbound", "success", "none")).isGreaterThanOrEqualTo(1);
		assertThat(handshakes("upstream", "success", "none")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void http2OverMutualTlsNegotiatedByAlpnKnowsTheCallerToo() throws Exception {
		// h2c to the caller listener; it calls the inbound one over TLS with ALPN h2 (reactor-netty)
		HttpResponse<String> response = call(HttpClient.Version.HTTP_2);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(response.body()).isEqualTo("backend HTTP/2.0");
		assertThat(seen.poll(1, TimeUnit.SECONDS)).isEqualTo(ORDERS);
	}

	@Test
	void concurrentConnectionsKnowTheCallerToo() throws Exception {
		// parallel calls open more connections to the same listener, each with its own handshake
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		seen.clear();
		List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
		for (int round = 0; round < 5; round++) {
			for (int i = 0; i < 8; i++) {
				calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + caller.port()
						+ "/x")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
			}
			for (var call : calls) {
				assertThat(call.get().statusCode()).as(call.get().body()).isEqualTo(200);
			}
			calls.clear();
		}
		assertThat(seen).hasSize(40).containsOnly(ORDERS);
	}

	@Test
	void theMeshRunsOnBoringSslWhereItsNativeLibraryLoads() {
		// Linux x86-64 (CI, the Docker images): netty-tcnative's BoringSSL; elsewhere the JDK's engine serves
		org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
				&& System.getProperty("os.arch").equals("amd64"));
		assertThat(MeshTls.provider()).startsWith("openssl");
	}

	@Test
	void plainTextReachesThePipelineWithoutAnIdentity() throws Exception {
		seen.clear();
		HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + inbound.port() + "/x")).header("x-meshgate-peer", ORDERS)
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.body()).contains("\"error\":\"mtls_required\"");
		assertThat(seen.poll(1, TimeUnit.SECONDS)).as("a header proves nothing").isEqualTo("plain text");
	}

	@Test
	void callersWithoutACertificateOfTheMeshFailTheHandshakeAndTheListenerServesOn() throws Exception {
		double untrusted = handshakes("inbound", "failure", "untrusted");
		double expired = handshakes("inbound", "failure", "expired");
		double none = handshakes("inbound", "failure", "no_certificate");
		assertRefused(FOREIGN.svid(ORDERS));
		assertRefused(CA.svid(ORDERS, Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600)));
		assertRefused(null);
		assertThat(handshakes("inbound", "failure", "untrusted")).isEqualTo(untrusted + 1);
		assertThat(handshakes("inbound", "failure", "expired")).isEqualTo(expired + 1);
		assertThat(handshakes("inbound", "failure", "no_certificate")).isEqualTo(none + 1);
		assertThat(call(HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
	}

	/** One handshake on a raw socket (an HTTP client would retry it): no HTTP answer comes back. */
	private static void assertRefused(SvidKeyManager.Svid svid) throws Exception {
		SSLContext context = SSLContext.getInstance("TLSv1.3");
		context.init(new KeyManager[] { new SvidKeyManager(() -> svid) },
				new TrustManager[] { new BundleTrustManager(() -> List.of(CA.root), id -> true, "any") }, null);
		try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
			.createSocket("127.0.0.1", inbound.port())) {
			socket.setSoTimeout(5_000);
			String answer;
			try {
				// TLS 1.3: the client's side may finish before the server has judged its certificate
				socket.startHandshake();
				socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: svc\r\n\r\n".getBytes());
				answer = new String(socket.getInputStream().readAllBytes());
			}
			catch (IOException refused) {
				answer = "";
			}
			assertThat(answer).isEmpty();
		}
	}

	@Test
	void aServerThatIsNotANodeOfTheMeshIsRefusedByTheCaller() throws Exception {
		callerTarget = "http://127.0.0.1:" + impostor.port();
		try {
			HttpResponse<String> response = call(HttpClient.Version.HTTP_1_1);
			assertThat(response.statusCode()).isEqualTo(502);
			assertThat(response.body()).contains("\"error\":\"upstream_tls\"");
			assertThat(seen).as("nothing reached the impostor's pipeline").isEmpty();
			assertThat(handshakes("upstream", "failure", "wrong_identity")).isGreaterThanOrEqualTo(1);
		}
		finally {
			callerTarget = "http://127.0.0.1:" + inbound.port();
		}
	}

	@Test
	void aRenewedSvidIsPresentedOnTheNextConnectionWithoutARestart() throws Exception {
		assertThat(call(HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
		SvidKeyManager.Svid before = callerSvid.get();
		callerSvid.set(CA.svid("spiffe://test.local/svc/orders-v2"));
		try {
			// a new connection: the pooled one keeps its handshake, as it should
			callerTarget = "http://localhost:" + inbound.port();
			HttpResponse<String> response = call(HttpClient.Version.HTTP_1_1);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(seen.poll(1, TimeUnit.SECONDS)).isEqualTo("spiffe://test.local/svc/orders-v2");
		}
		finally {
			callerSvid.set(before);
			callerTarget = "http://127.0.0.1:" + inbound.port();
		}
	}
}
