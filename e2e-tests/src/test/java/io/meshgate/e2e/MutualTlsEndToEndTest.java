package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.client.identity.BundleTrustManager;
import io.meshgate.client.identity.NodeIdentity;
import io.meshgate.client.identity.SvidKeyManager;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.PrometheusScrape;
import io.meshgate.e2e.support.RawHttp;

/**
 * Mutual TLS between real proxies: the gateway and the agents call each other over TLS 1.3 with the identities the
 * control plane issued (30 s here, so they renew during the test), the destination knows its caller from the
 * certificate alone, plain text is refused unless a service is permissive, and renewals swap certificates under
 * steady load without failing a request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MutualTlsEndToEndTest {

	private static final Duration SVID_TTL = Duration.ofSeconds(30);

	@TempDir
	static Path work;

	static MeshStack mesh;

	static HttpClient viaNodeA;

	@BeforeAll
	static void start() {
		mesh = new MeshStack(work, "    spare: {}\n", Map.of())
			.controlPlaneEnvironment(Map.of("MESHGATE_CONTROL_PLANE_CA_SVID_TTL", SVID_TTL.toSeconds() + "s",
					// the serving certificate as short-lived, so a rotation's overlap of one TTL covers it too
					"MESHGATE_CONTROL_PLANE_TLS_TTL", SVID_TTL.toSeconds() + "s"))
			.startAll();
		viaNodeA = HttpClient.newBuilder()
			.proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", mesh.a.outbound)))
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.build();
		await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(mesh.gatewayUrl("/api/orders/1")).status() == 200
				&& inventoryNodesSeenFromA().size() == 2);
	}

	@AfterAll
	static void stop() {
		if (mesh != null) {
			mesh.close();
		}
	}

	private static Set<String> inventoryNodesSeenFromA() {
		Set<String> nodes = new HashSet<>();
		Http.json(mesh.a.adminUrl("/actuator/mesh")).path("plane").path("agent").path("endpoints").path("inventory")
			.forEach(endpoint -> nodes.add(endpoint.path("node").asString()));
		return nodes;
	}

	private static HttpResponse<String> fromNodeA(String url) throws IOException, InterruptedException {
		return viaNodeA.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static double inbound(MeshStack.Node node, String source, String outcome) {
		return PrometheusScrape.of(node.adminUrl("/actuator/prometheus")).sum("meshgate_requests_total",
				Map.of("direction", "inbound", "source", source, "outcome", outcome));
	}

	@Test
	@Order(1)
	void theDestinationKnowsItsCallerFromItsCertificateWhateverTheRequestSays() throws Exception {
		double fromOrders = inbound(mesh.b, "orders", "success");
		double fromGateway = inbound(mesh.a, "gateway", "success");
		for (int i = 0; i < 20; i++) {
			// orders calls as itself (node-a's outbound listener is orders'); what the request claims changes nothing
			HttpResponse<String> response = viaNodeA.send(HttpRequest
				.newBuilder(URI.create("http://inventory-v2/stock/sku-" + i))
				.header("x-forwarded-client-cert", "URI=spiffe://meshgate.local/svc/payments")
				.header("x-meshgate-source", "payments")
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(Http.get(mesh.gatewayUrl("/api/orders/" + i)).status()).isEqualTo(200);
		}
		// inventory-v2 runs on node-b only: every call crossed nodes over mTLS as svc/orders
		assertThat(inbound(mesh.b, "orders", "success")).isGreaterThanOrEqualTo(fromOrders + 20);
		assertThat(inbound(mesh.b, "payments", "success")).isZero();
		assertThat(inbound(mesh.a, "gateway", "success")).isGreaterThanOrEqualTo(fromGateway + 20);
		assertThat(PrometheusScrape.of(mesh.b.adminUrl("/actuator/prometheus")).sum("meshgate_tls_handshakes_total",
				Map.of("side", "inbound", "outcome", "success"))).isPositive();
	}

	@Test
	@Order(2)
	void plainTextAndForeignCertificatesAreRefusedAndTheAgentServesOn() throws Exception {
		RawHttp.Answer plain = RawHttp.send(mesh.b.inbound, "GET /stock/sku-1 HTTP/1.1\r\nHost: inventory\r\n"
				+ "x-meshgate-service: inventory\r\nx-forwarded-client-cert: URI=spiffe://meshgate.local/svc/orders\r\n"
				+ "Connection: close\r\n\r\n");
		assertThat(plain.status()).isEqualTo(403);
		assertThat(plain.text()).contains("\"error\":\"mtls_required\"").contains("service 'inventory'");
		assertThat(inbound(mesh.b, "unknown", "mtls_required")).isPositive();

		// a workload certificate of another CA, or none: the handshake fails and nothing is answered
		double untrusted = handshakeFailures(mesh.b, "untrusted");
		assertThat(handshake(mesh.b.inbound, foreignSvid())).isFalse();
		assertThat(handshakeFailures(mesh.b, "untrusted")).isEqualTo(untrusted + 1);
		assertThat(handshake(mesh.b.inbound, null)).isFalse();

		assertThat(fromNodeA("http://inventory-v2/stock/sku-1").statusCode()).isEqualTo(200);
	}

	@Test
	@Order(3)
	void aPermissiveServiceAlsoTakesPlainTextAndGoesBackToStrictByACommit() {
		String permissive = mesh.repo.edit("application.yml",
				yaml -> yaml.replace("    inventory:\n      timeout: 1s\n",
						"    inventory:\n      timeout: 1s\n      mode: permissive\n"),
				"inventory takes plain text while its callers move to the mesh");
		awaitApplied(mesh.b, permissive);
		RawHttp.Answer plain = RawHttp.send(mesh.b.inbound,
				"GET /stock/sku-1 HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n");
		assertThat(plain.status()).as(plain.text()).isEqualTo(200);
		// inventory-v2 keeps the mesh's strict mode
		assertThat(RawHttp.send(mesh.b.inbound,
				"GET /stock/sku-1 HTTP/1.1\r\nHost: inventory-v2\r\nConnection: close\r\n\r\n").status()).isEqualTo(403);

		String strict = mesh.repo.edit("application.yml", yaml -> yaml.replace("      mode: permissive\n", ""),
				"inventory is mesh-only again");
		awaitApplied(mesh.b, strict);
		assertThat(RawHttp.send(mesh.b.inbound,
				"GET /stock/sku-1 HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n").status()).isEqualTo(403);
	}

	/**
	 * Steady load through the gateway and node-a's outbound listener while every identity renews three times (30 s
	 * SVIDs renew at half of their remaining life): not one request fails, and new connections made after the
	 * renewals handshake with the renewed certificates.
	 */
	@Test
	@Order(4)
	void renewalsSwapCertificatesUnderLoadWithoutFailingARequest() throws Exception {
		Set<String> nodeBCertificates = new HashSet<>();
		SteadyLoad steady = new SteadyLoad();
		AtomicInteger sent = steady.sent;
		AtomicReference<String> failure = steady.failure;
		try {
			// a fresh connection to node-b's inbound listener every half second, as node-a's orders: which certificate
			// does it serve? Its first and three renewed ones within three TTLs
			await().atMost(SVID_TTL.multipliedBy(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
				X509Certificate served = servedCertificate(mesh.b.inbound, orders());
				if (served != null) {
					nodeBCertificates.add(served.getSerialNumber().toString(16));
				}
				return nodeBCertificates.size() >= 4;
			});
		}
		finally {
			steady.close();
		}
		String measured = sent.get() + " request pairs through the gateway and node-a during renewals, node-b served "
				+ nodeBCertificates.size() + " certificates";
		assertThat(failure.get()).as("a request failed during renewals (" + measured + ")").isNull();
		assertThat(nodeBCertificates).as("node-b served its first certificate and three renewed ones: " + measured)
			.hasSizeGreaterThanOrEqualTo(4);
		assertThat(sent.get()).isGreaterThan(50);
		assertThat(Http.json(mesh.b.adminUrl("/actuator/mesh")).path("plane").path("agent").path("identity")
			.path("state").asString()).isEqualTo("enrolled");
	}

	/**
	 * A policy, committed like any config, is enforced by the destination's agent on the caller's verified identity:
	 * orders may read inventory-v2's stock and nothing else; every path trick of the hardening issue is normalised or
	 * refused before a rule sees it; what is refused is 403 {@code denied}, counted, and the agent serves on.
	 */
	@Test
	@Order(5)
	void aPolicyAllowsOnlyWhatItSaysOnTheVerifiedCaller() throws Exception {
		String policy = mesh.repo.edit("application.yml", yaml -> yaml + """
				  policies:
				    - service: inventory-v2
				      allow:
				        - from: [ orders ]
				          methods: [ GET ]
				          paths: [ /stock/** ]
				""", "only orders reads inventory-v2's stock");
		awaitApplied(mesh.b, policy);
		double denied = inbound(mesh.b, "orders", "denied");

		assertThat(fromNodeA("http://inventory-v2/stock/sku-1").statusCode()).isEqualTo(200);
		HttpResponse<String> post = viaNodeA.send(HttpRequest.newBuilder(URI.create("http://inventory-v2/stock/sku-1"))
			.POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(post.statusCode()).isEqualTo(403);
		assertThat(post.body()).contains("\"error\":\"denied\"")
			.contains("no policy rule of service 'inventory-v2' allows this call");
		assertThat(fromNodeA("http://inventory-v2/health").statusCode()).isEqualTo(403);

		// path tricks: each is normalised out of /stock/ (then denied) or refused as it stands; none reaches /admin
		for (String trick : List.of("/stock/../admin", "/stock/%2e%2e/admin", "/stock/..%2fadmin", "/stock/%2E%2E%2Fadmin",
				"/stock/.%2e/admin", "/stock/..;/admin", "/stock/..\\admin", "/./stock/../../admin")) {
			RawHttp.Answer answer = RawHttp.send(mesh.a.outbound, "GET http://inventory-v2" + trick
					+ " HTTP/1.1\r\nHost: inventory-v2\r\nConnection: close\r\n\r\n");
			assertThat(answer.status()).as(trick + ": " + answer.text()).isIn(400, 403);
			assertThat(answer.text()).as(trick).containsAnyOf("\"error\":\"denied\"", "\"error\":\"bad_request\"");
		}
		// the gateway is not orders: its calls are denied too (inventory-v2 is reached by no ingress route, so ask
		// node-b's inbound listener as the gateway would, with its own certificate)
		assertThat(handshakeAndGet(mesh.b.inbound, gatewaySvid(), "inventory-v2", "/stock/sku-1", ""))
			.startsWith("HTTP/1.1 403");
		assertThat(handshakeAndGet(mesh.b.inbound, orders(), "inventory-v2", "/stock/sku-1", ""))
			.startsWith("HTTP/1.1 200");
		// the other transport: a request the relay hands over (Expect) is judged by the same step on reactor-netty
		String handedOver = "Expect: 100-continue\r\nContent-Length: 0\r\n";
		assertThat(handshakeAndGet(mesh.b.inbound, gatewaySvid(), "inventory-v2", "/stock/sku-1", handedOver))
			.startsWith("HTTP/1.1 403").contains("\"error\":\"denied\"");
		assertThat(handshakeAndGet(mesh.b.inbound, orders(), "inventory-v2", "/stock/sku-1", handedOver))
			.contains("HTTP/1.1 200");

		assertThat(inbound(mesh.b, "orders", "denied")).isGreaterThanOrEqualTo(denied + 2);
		assertThat(fromNodeA("http://inventory-v2/stock/sku-2").statusCode()).as("still serving").isEqualTo(200);

		// node-a's other workload, inventory, calls out through its own port: as svc/inventory, not as orders, so
		// the rule for orders does not let it in (one workload cannot call as another through its own port)
		double deniedInventory = inbound(mesh.b, "inventory", "denied");
		RawHttp.Answer asInventory = RawHttp.send(mesh.a.inventoryOutbound,
				"GET http://inventory-v2/stock/sku-1 HTTP/1.1\r\nHost: inventory-v2\r\nConnection: close\r\n\r\n");
		assertThat(asInventory.status()).as(asInventory.text()).isEqualTo(403);
		assertThat(asInventory.text()).contains("\"error\":\"denied\"");
		assertThat(inbound(mesh.b, "inventory", "denied")).isEqualTo(deniedInventory + 1);
		assertThat(PrometheusScrape.of(mesh.a.adminUrl("/actuator/prometheus")).sum("meshgate_requests_total",
				Map.of("direction", "outbound", "source", "inventory", "outcome", "success"))).as("counted as inventory's")
			.isGreaterThanOrEqualTo(1);
	}

	/** Request pairs in a loop, through the gateway and through node-a's outbound listener; the first failure kept. */
	private static final class SteadyLoad implements AutoCloseable {

		final AtomicBoolean running = new AtomicBoolean(true);

		final AtomicInteger sent = new AtomicInteger();

		final AtomicReference<String> failure = new AtomicReference<>();

		private final Thread load = new Thread(this::run, "steady-load");

		SteadyLoad() {
			load.start();
		}

		private void run() {
			while (running.get()) {
				int n = sent.incrementAndGet();
				try {
					Http.Response edge = Http.get(mesh.gatewayUrl("/api/orders/" + n));
					HttpResponse<String> eastWest = fromNodeA("http://inventory-v2/stock/sku-" + n);
					if (edge.status() != 200 || eastWest.statusCode() != 200) {
						failure.compareAndSet(null, "request " + n + ": " + edge.status() + " " + edge.body() + " / "
								+ eastWest.statusCode() + " " + eastWest.body());
					}
				}
				catch (IOException | RuntimeException ex) {
					failure.compareAndSet(null, "request " + n + ": " + ex);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		@Override
		public void close() throws InterruptedException {
			running.set(false);
			load.join(10_000);
		}
	}

	/** The identity directories of the gateway and both agents. */
	private static List<Path> identityDirs() {
		return List.of(work.resolve("gateway-data/gateway/identity"), work.resolve("node-a-data/node-a/identity"),
				work.resolve("node-b-data/node-b/identity"));
	}

	private static List<String> rootsHeldIn(Path identity) throws IOException {
		return io.meshgate.model.identity.Pem.certificates(Files.readString(identity.resolve("bundle.pem")))
			.stream()
			.map(io.meshgate.model.identity.Fingerprints::of)
			.toList();
	}

	private static boolean svidsSignedBy(Path identity, String root) throws IOException {
		X509Certificate signer = io.meshgate.model.identity.Pem
			.certificates(Files.readString(identity.resolve("bundle.pem")))
			.stream()
			.filter(certificate -> io.meshgate.model.identity.Fingerprints.of(certificate).equals(root))
			.findFirst()
			.orElse(null);
		if (signer == null) {
			return false;
		}
		for (X509Certificate svid : io.meshgate.model.identity.Pem
			.certificates(Files.readString(identity.resolve("svids.pem")))) {
			try {
				svid.verify(signer.getPublicKey());
			}
			catch (java.security.GeneralSecurityException ex) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The operator rotates the CA's root under steady load: every proxy is pushed the new root before it signs
	 * anything, renews onto it, and drops the old one once the overlap is over; not one request fails meanwhile.
	 */
	@Test
	@Order(6)
	void aRootRotationUnderLoadFailsNoRequestAndEndsWithOnlyTheNewRoot() throws Exception {
		String oldRoot = rootsHeldIn(identityDirs().get(0)).get(0);
		try (SteadyLoad steady = new SteadyLoad()) {
			Http.Response started = mesh.controlPlaneApi.post("/mesh/v1/ca/rotation",
					"{\"propagation\":\"3s\",\"overlap\":\"" + SVID_TTL.toSeconds() + "s\"}");
			assertThat(started.status()).as(started.body()).isEqualTo(202);
			String newRoot = started.json().path("next").asString();

			// pushed on the watch stream: every proxy trusts both before the new root signs anything
			await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
				.until(() -> identityDirs().stream().allMatch(dir -> rootsHeld(dir).equals(List.of(oldRoot, newRoot))));
			// renewed onto the new root (half-life renewals)
			await().atMost(SVID_TTL.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
				.until(() -> identityDirs().stream().allMatch(dir -> signedBy(dir, newRoot)));
			// the overlap over: the old root is gone everywhere
			await().atMost(SVID_TTL.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
				.until(() -> identityDirs().stream().allMatch(dir -> rootsHeld(dir).equals(List.of(newRoot))));
			// and the mesh still serves on the new root alone
			int before = steady.sent.get();
			await().atMost(Duration.ofSeconds(10)).until(() -> steady.sent.get() >= before + 20);
			String measured = steady.sent.get() + " request pairs through the gateway and node-a during the rotation";
			assertThat(steady.failure.get()).as("a request failed during the rotation (" + measured + ")").isNull();
		}
	}

	private static List<String> rootsHeld(Path dir) {
		try {
			return rootsHeldIn(dir);
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	private static boolean signedBy(Path dir, String root) {
		try {
			return svidsSignedBy(dir, root);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The gateway's svc/gateway SVID, from its data directory. */
	private static SvidKeyManager.Svid gatewaySvid() {
		NodeIdentity identity = NodeIdentity.load(work.resolve("gateway-data/gateway/identity")).orElseThrow();
		return new SvidKeyManager.Svid(identity.key(),
				new X509Certificate[] { identity.svids().get("spiffe://meshgate.local/svc/gateway") });
	}

	/** One request over a fresh mutual-TLS connection presenting {@code svid}; the answer's text. */
	private static String handshakeAndGet(int port, SvidKeyManager.Svid svid, String service, String path,
			String moreHeaders) throws Exception {
		try (SSLSocket socket = socket(port, svid)) {
			socket.startHandshake();
			socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + service
					+ "\r\n" + moreHeaders + "Connection: close\r\n\r\n").getBytes());
			return new String(socket.getInputStream().readAllBytes());
		}
	}

	private static void awaitApplied(MeshStack.Node node, String commit) {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> commit.equals(Http.json(node.adminUrl("/actuator/mesh")).path("version").asString()));
	}

	private static double handshakeFailures(MeshStack.Node node, String reason) {
		return PrometheusScrape.of(node.adminUrl("/actuator/prometheus")).sum("meshgate_tls_handshakes_total",
				Map.of("side", "inbound", "outcome", "failure", "reason", reason));
	}

	/** node-a's svc/orders SVID, read from its data directory now (renewals rewrite it). */
	private static SvidKeyManager.Svid orders() {
		NodeIdentity identity = NodeIdentity.load(mesh.dataDir(mesh.a).resolve("identity")).orElseThrow();
		return new SvidKeyManager.Svid(identity.key(),
				new X509Certificate[] { identity.svids().get("spiffe://meshgate.local/svc/orders") });
	}

	private static SvidKeyManager.Svid foreignSvid() {
		// the control plane of another mesh would issue like this one; any CA the mesh does not trust will do
		var other = io.meshgate.controlplane.ca.CertificateAuthority.generate(java.time.Clock.systemUTC());
		try {
			var generator = java.security.KeyPairGenerator.getInstance("EC");
			generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
			var key = generator.generateKeyPair();
			return new SvidKeyManager.Svid(key.getPrivate(), new X509Certificate[] { other.issue(key.getPublic(),
					URI.create("spiffe://meshgate.local/svc/orders"), Duration.ofHours(1)) });
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** One TLS connection presenting {@code svid}; whether a request on it got an HTTP answer. */
	private static boolean handshake(int port, SvidKeyManager.Svid svid) throws Exception {
		try (SSLSocket socket = socket(port, svid)) {
			socket.startHandshake();
			socket.getOutputStream().write("GET /stock/sku-1 HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n"
				.getBytes());
			return new String(socket.getInputStream().readAllBytes()).startsWith("HTTP/1.1");
		}
		catch (IOException refused) {
			return false;
		}
	}

	private static X509Certificate servedCertificate(int port, SvidKeyManager.Svid svid) throws Exception {
		try (SSLSocket socket = socket(port, svid)) {
			socket.startHandshake();
			return (X509Certificate) socket.getSession().getPeerCertificates()[0];
		}
		catch (IOException failed) {
			return null;
		}
	}

	private static SSLSocket socket(int port, SvidKeyManager.Svid svid) throws Exception {
		List<X509Certificate> bundle = NodeIdentity.load(mesh.dataDir(mesh.a).resolve("identity")).orElseThrow()
			.trustBundle();
		SSLContext context = SSLContext.getInstance("TLSv1.3");
		context.init(new KeyManager[] { new SvidKeyManager(() -> svid) },
				new TrustManager[] { new BundleTrustManager(() -> bundle, id -> id.contains("/node/"), "a node") },
				null);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
		socket.setSoTimeout(5_000);
		return socket;
	}
}
