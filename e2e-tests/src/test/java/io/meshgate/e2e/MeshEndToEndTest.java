package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.ProtocolServers;
import io.meshgate.e2e.support.RawHttp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * East-west through the per-node agents, end to end: gateway -> node's inbound agent -> service, and
 * service -> its node's outbound agent -> the other node's inbound agent -> service. Real processes, loopback.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshEndToEndTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int CLOSED_PORT = FreePorts.closed();

	@TempDir
	static Path work;

	static MeshStack mesh;

	static ProtocolServers protocols;

	static HttpClient viaNodeA;

	@BeforeAll
	static void start() {
		protocols = new ProtocolServers();
		mesh = new MeshStack(work, """
				    h2-echo:
				    grpc-echo:
				      timeout: 5s
				    payments:
				      timeout: 1s
				    ghost:
				      endpoints: [ http://127.0.0.1:%d ]
				""".formatted(CLOSED_PORT), Map.of("h2-echo", protocols.httpPort, "grpc-echo", protocols.grpcPort))
			.startAll();
		viaNodeA = HttpClient.newBuilder()
			.proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", mesh.a.outbound)))
			.connectTimeout(Duration.ofSeconds(2))
			.build();
		// both nodes registered and pushed to node-a and to the gateway
		await().atMost(Duration.ofSeconds(10))
			.until(() -> endpointsAtNodeA("inventory").size() == 2 && endpointsAtNodeA("orders").size() == 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(mesh.gatewayUrl("/api/orders/1")).status() == 200);
	}

	@AfterAll
	static void stop() {
		if (mesh != null) {
			mesh.close();
		}
		if (protocols != null) {
			protocols.close();
		}
	}

	static Set<String> endpointsAtNodeA(String service) {
		Set<String> nodes = new HashSet<>();
		Http.json(mesh.a.adminUrl("/actuator/mesh")).path("plane").path("agent").path("endpoints").path(service)
			.forEach(endpoint -> nodes.add(endpoint.path("node").asString()));
		return nodes;
	}

	static HttpResponse<String> callFromNodeA(String url) throws Exception {
		return viaNodeA.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The attack the zero-trust issue opened with: one unauthenticated registration pointing "orders" at the
	 * attacker's server took 9 of the next 10 calls through the gateway, their Authorization headers included.
	 */
	@Test
	@Order(1)
	void anUnauthenticatedRegistrationCannotRedirectAServicesTraffic() throws Exception {
		java.util.concurrent.atomic.AtomicInteger stolen = new java.util.concurrent.atomic.AtomicInteger();
		com.sun.net.httpserver.HttpServer attacker = com.sun.net.httpserver.HttpServer
			.create(new InetSocketAddress("127.0.0.1", 0), 16);
		attacker.createContext("/", exchange -> {
			stolen.incrementAndGet();
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		attacker.start();
		try {
			String evil = "{\"node\":\"evil\",\"inboundAddress\":\"http://127.0.0.1:"
					+ attacker.getAddress().getPort() + "\",\"services\":[\"orders\"],\"ttlSeconds\":300}";
			HttpRequest.Builder put = HttpRequest.newBuilder().header("Content-Type", "application/json")
				.PUT(HttpRequest.BodyPublishers.ofString(evil)).timeout(Duration.ofSeconds(5));
			HttpResponse<String> anonymous = mesh.controlPlaneApi.client().send(
					put.uri(URI.create(mesh.controlPlaneApi.url("/mesh/v1/registry/nodes/evil"))).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(anonymous.statusCode()).isEqualTo(401);
			HttpResponse<String> plain = HttpClient.newHttpClient().send(put.uri(URI.create(
					"http://127.0.0.1:" + mesh.controlPlaneApi.port + "/mesh/v1/registry/nodes/evil")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(plain.statusCode()).isEqualTo(400);
			// even the operator cannot register a node: only the node itself, by its certificate
			HttpResponse<String> operator = mesh.controlPlaneApi.client().send(put
				.uri(URI.create(mesh.controlPlaneApi.url("/mesh/v1/registry/nodes/evil")))
				.header("Authorization", "Bearer " + mesh.controlPlaneApi.operatorSecret())
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(operator.statusCode()).isEqualTo(403);

			for (int i = 0; i < 10; i++) {
				Http.Response response = Http.get(mesh.gatewayUrl("/api/orders/" + i));
				assertThat(response.status()).as(response.body()).isEqualTo(200);
				assertThat(response.json().path("instance").asString()).isEqualTo("orders@" + mesh.orders);
			}
			assertThat(stolen.get()).isZero();
			assertThat(mesh.controlPlaneApi.get("/mesh/v1/registry").body()).doesNotContain("evil");
		}
		finally {
			attacker.stop(0);
		}
	}

	@Test
	@Order(1)
	void theGatewayReachesServicesThroughTheAgentsAndOrdersCallsInventoryAcrossNodes() {
		Set<String> inventories = new HashSet<>();
		for (int i = 0; i < 40; i++) {
			Http.Response response = Http.get(mesh.gatewayUrl("/api/orders/" + i));
			assertThat(response.status()).as(response.body()).isEqualTo(200);
			JsonNode order = response.json();
			assertThat(order.path("instance").asString()).isEqualTo("orders@" + mesh.orders);
			inventories.add(order.path("stock").path("instance").asString());
		}
		// inventory runs on both nodes; sequential calls go to whichever answers faster (power of two choices over
		// latency: with two endpoints the cheaper one wins), so only which instances may answer is fixed here.
		// Calls that must cross nodes (inventory-v2 lives on node-b only) are in the split and streaming tests.
		assertThat(inventories).isNotEmpty()
			.isSubsetOf("inventory@" + mesh.inventory1, "inventory@" + mesh.inventory2);

		// a plain Spring Cloud Gateway route (gateway.yml) to lb://inventory reaches it through the agents too
		Http.Response health = Http.get(mesh.gatewayUrl("/demo/inventory-health"));
		assertThat(health.status()).as(health.body()).isEqualTo(200);
		assertThat(health.json().path("instance").asString()).startsWith("inventory@");
	}

	@Test
	@Order(2)
	void localAppsCallAsHttpProxyClientsOrWithAHostHeader() throws Exception {
		HttpResponse<String> proxied = callFromNodeA("http://inventory/stock/sku-3");
		assertThat(proxied.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(proxied.body()).path("sku").asString()).isEqualTo("sku-3");

		RawHttp.Answer hosted = RawHttp.send(mesh.a.outbound,
				"GET /stock/sku-4 HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n");
		assertThat(hosted.status()).isEqualTo(200);
		assertThat(hosted.text()).contains("\"sku\":\"sku-4\"");

		// what the workload saw: the service as Host, the caller in X-Forwarded-For, no mesh-internal header
		JsonNode echo = JSON.readTree(callFromNodeA("http://orders/echo").body());
		assertThat(echo.path("headers").path("host").asString()).isEqualTo("orders");
		assertThat(echo.path("headers").path("x-forwarded-for").asString()).startsWith("127.0.0.1");
		assertThat(echo.path("headers").has("x-meshgate-service")).isFalse();
	}

	static Stream<Arguments> errors() {
		return Stream.of(
				Arguments.of("unknown service", "GET http://nowhere/x HTTP/1.1\r\nHost: nowhere\r\nConnection: close\r\n\r\n",
						503, "no service 'nowhere' in the mesh"),
				Arguments.of("no healthy endpoint", "GET http://payments/x HTTP/1.1\r\nHost: payments\r\nConnection: close\r\n\r\n",
						503, "service 'payments' has no healthy endpoint"),
				Arguments.of("timeout", "GET http://inventory/delay/1500 HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n",
						504, "\"error\":\"timeout\""),
				Arguments.of("connection refused", "GET http://ghost/x HTTP/1.1\r\nHost: ghost\r\nConnection: close\r\n\r\n",
						502, "\"error\":\"connect_failed\""),
				Arguments.of("upstream reset", "GET http://inventory/reset HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n",
						502, "\"error\":\"upstream_reset\""),
				Arguments.of("malformed request", "GARBAGE\r\n\r\n", 400, "\"error\":\"bad_request\""),
				Arguments.of("no service named", "GET /x HTTP/1.0\r\n\r\n", 400, "name the service"),
				Arguments.of("headers too large", "GET http://inventory/x HTTP/1.1\r\nHost: inventory\r\nX-Big: "
						+ "x".repeat(17_000) + "\r\nConnection: close\r\n\r\n", 431, "\"error\":\"headers_too_large\""));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("errors")
	@Order(3)
	void errorsSayWhatHappened(String description, String request, int status, String body) {
		RawHttp.Answer answer = RawHttp.send(mesh.a.outbound, request);
		assertThat(answer.status()).as(answer.text()).isEqualTo(status);
		assertThat(answer.text()).contains(body);
		// and the agent still serves
		assertThat(RawHttp.send(mesh.a.outbound,
				"GET /stock/sku-1 HTTP/1.1\r\nHost: inventory\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
	}

	/**
	 * A commit the control plane finds invalid on the YAML tree only (a typo'd key whose value is an empty map) is
	 * not applied by either agent, though their own checks of the flat properties pass; they report the control
	 * plane's error, with its line, and keep serving. {@code name: {}} declares a service for the agents too.
	 */
	@Test
	@Order(3)
	void anEmptyMapIsSeenOnTheYamlTreeByBothAgents() throws Exception {
		String good = mesh.repo.read("application.yml");
		String before = Http.json(mesh.a.adminUrl("/actuator/mesh")).path("version").asString();
		String typo = mesh.repo.edit("application.yml", yaml -> yaml.replace("mesh:\n", "mesh:\n  servcies:\n    x: {}\n"),
				"a typo'd key with an empty map");
		try {
			for (MeshStack.Node node : List.of(mesh.a, mesh.b)) {
				JsonNode rejection = await().atMost(Duration.ofSeconds(3))
					.until(() -> Http.json(node.adminUrl("/actuator/mesh")).path("lastRejection"),
							r -> typo.equals(r.path("version").asString()));
				assertThat(rejection.path("errors").get(0).asString()).as(node.name)
					.matches("config-repo/application\\.yml:\\d+: mesh\\.servcies\\.x: unknown key 'servcies'.*");
				assertThat(Http.json(node.adminUrl("/actuator/mesh")).path("version").asString()).isEqualTo(before);
			}
			assertThat(callFromNodeA("http://inventory/stock/sku-1").statusCode()).isEqualTo(200);
		}
		finally {
			mesh.repo.commit("application.yml", good, "undo the typo");
		}
		String declared = mesh.repo.edit("application.yml",
				yaml -> yaml.replace("  services:\n", "  services:\n    spare: {}\n"), "spare: {} declares a service");
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> declared.equals(Http.json(mesh.a.adminUrl("/actuator/mesh")).path("version").asString()));
			HttpResponse<String> spare = callFromNodeA("http://spare/x");
			assertThat(spare.statusCode()).isEqualTo(503);
			assertThat(spare.body()).contains("\"error\":\"no_healthy_endpoint\"");
		}
		finally {
			String undo = mesh.repo.commit("application.yml", good, "undo the spare service");
			await().atMost(Duration.ofSeconds(3))
				.until(() -> undo.equals(Http.json(mesh.a.adminUrl("/actuator/mesh")).path("version").asString()));
		}
	}

	@Test
	@Order(4)
	void aWeightedSplitCommittedToGitReachesTheAgentsAndHoldsOver2000Requests() throws Exception {
		String before = mesh.repo.read("application.yml");
		// routes are the file's last block here (MeshStack leaves the project's policies out): a route goes at the end
		String commit = mesh.repo.edit("application.yml", yaml -> yaml + """
				    - id: inventory-canary
				      match: { service: inventory }
				      to: [ { service: inventory, weight: 80 }, { service: inventory-v2, weight: 20 } ]
				""", "canary: 20% of inventory calls to v2");
		long started = System.nanoTime();
		await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
			.until(() -> commit.equals(Http.json(mesh.a.adminUrl("/actuator/mesh")).path("version").asString())
					&& commit.equals(Http.json(mesh.b.adminUrl("/actuator/mesh")).path("version").asString()));
		System.out.println("[measured] commit -> applied on both agents: "
				+ Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

		int toV2 = 0;
		for (int i = 0; i < 2000; i++) {
			HttpResponse<String> response = callFromNodeA("http://inventory/stock/sku-" + i);
			assertThat(response.statusCode()).isEqualTo(200);
			if (response.body().contains("\"instance\":\"inventory@" + mesh.inventoryV2 + "\"")) {
				toV2++;
			}
		}
		System.out.println("[measured] 80/20 split over 2000 requests: " + toV2 + " to v2 (" + toV2 / 20.0 + "%)");
		assertThat(toV2).isBetween(300, 500);

		String undo = mesh.repo.commit("application.yml", before, "end the canary");
		await().atMost(Duration.ofSeconds(3))
			.until(() -> undo.equals(Http.json(mesh.a.adminUrl("/actuator/mesh")).path("version").asString()));
	}

	@Test
	@Order(4)
	void http2WithPriorKnowledgeStaysHttp2AcrossBothAgents() {
		String answer = reactor.netty.http.client.HttpClient.create()
			.protocol(reactor.netty.http.HttpProtocol.H2C)
			.headers(headers -> headers.set("host", "h2-echo"))
			.get()
			.uri("http://127.0.0.1:" + mesh.a.outbound + "/version")
			.responseSingle((response, body) -> body.asString()
				.map(text -> response.version().text() + " " + response.status().code() + " " + text))
			.block(Duration.ofSeconds(10));
		// the caller spoke HTTP/2 to node-a, and the workload behind node-b was reached with HTTP/2 too
		assertThat(answer).isEqualTo("HTTP/2.0 200 HTTP/2.0");
	}

	@Test
	@Order(4)
	void grpcUnaryServerStreamingAndErrorStatusesPassThroughBothAgents() {
		io.grpc.ManagedChannel channel = io.grpc.Grpc
			.newChannelBuilderForAddress("127.0.0.1", mesh.a.outbound, io.grpc.InsecureChannelCredentials.create())
			.overrideAuthority("grpc-echo")
			.build();
		try {
			assertThat(io.grpc.stub.ClientCalls.blockingUnaryCall(channel, ProtocolServers.SAY,
					io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS), "mesh"))
				.isEqualTo("hello mesh");

			java.util.List<String> letters = new java.util.ArrayList<>();
			io.grpc.stub.ClientCalls.blockingServerStreamingCall(channel, ProtocolServers.SPELL,
					io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS), "mesh")
				.forEachRemaining(letters::add);
			assertThat(letters).containsExactly("M", "E", "S", "H");

			// the status travels in trailers (here trailers-only): the caller sees the workload's own status
			org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(
					channel, ProtocolServers.SAY, io.grpc.CallOptions.DEFAULT, "nobody"))
				.isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, ex -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
					assertThat(ex.getStatus().getDescription()).isEqualTo("no such person");
				});
		}
		finally {
			channel.shutdownNow();
		}
	}

	@Test
	@Order(4)
	void aWebSocketEchoPassesThroughBothAgents() {
		java.util.List<String> echoed = reactor.netty.http.client.HttpClient.create()
			.headers(headers -> headers.set("host", "h2-echo"))
			.websocket()
			.uri("ws://127.0.0.1:" + mesh.a.outbound + "/ws")
			.handle((in, out) -> out.sendString(reactor.core.publisher.Flux.just("one", "two", "three"))
				.then()
				.thenMany(in.receive().asString().take(3)))
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(echoed).containsExactly("echo: one", "echo: two", "echo: three");
	}

	@Test
	@Order(5)
	void a100MegabyteUploadAndDownloadStreamThroughBothAgentsWithA64MegabyteHeap() throws Exception {
		long size = 100L * 1024 * 1024;
		// inventory-v2 only runs on node-b: the bytes cross node-a's outbound and node-b's inbound listener
		HttpResponse<String> upload = viaNodeA.send(HttpRequest.newBuilder(URI.create("http://inventory-v2/upload"))
			.timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(upload.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(upload.body()).path("bytes").asLong()).isEqualTo(size);

		HttpResponse<InputStream> download = viaNodeA.send(
				HttpRequest.newBuilder(URI.create("http://inventory-v2/download/" + size))
					.timeout(Duration.ofSeconds(60))
					.build(),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(download.statusCode()).isEqualTo(200);
		long received = 0;
		try (InputStream body = download.body()) {
			byte[] buffer = new byte[64 * 1024];
			for (int read; (read = body.read(buffer)) > 0;) {
				received += read;
			}
		}
		assertThat(received).isEqualTo(size);
		assertThat(mesh.agentA.isAlive()).isTrue();
		assertThat(mesh.agentB.isAlive()).isTrue();
		assertThat(mesh.agentA.log() + mesh.agentB.log()).doesNotContain("OutOfMemoryError");
	}

	@Test
	@Order(6)
	void aKilledInstanceLeavesWithinTwoSecondsAndTrafficContinuesOnTheOther() throws Exception {
		mesh.demoB.stop();
		long killed = System.nanoTime();

		await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
			.until(() -> endpointsAtNodeA("inventory").equals(Set.of("node-a")));
		System.out.println("[measured] killed instance gone from node-a's endpoints after "
				+ Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms");

		for (int i = 0; i < 100; i++) {
			HttpResponse<String> response = callFromNodeA("http://inventory/stock/sku-" + i);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(response.body()).contains("inventory@" + mesh.inventory1);
		}
	}

	@Test
	@Order(7)
	void trafficFlowsWhileTheControlPlaneIsDownAndWhileItRestarts() throws Exception {
		mesh.controlPlane().stop();
		for (int i = 0; i < 50; i++) {
			assertThat(callFromNodeA("http://inventory/stock/sku-" + i).statusCode()).isEqualTo(200);
			assertThat(Http.get(mesh.gatewayUrl("/api/orders/" + i)).status()).isEqualTo(200);
		}

		mesh.startControlPlane();
		// during its start and its registry warm-up the proxies keep their endpoints: not one call fails
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		int calls = 0;
		while (!registryLists("inventory", "node-a")) {
			assertThat(System.nanoTime()).as("control plane back with node-a registered").isLessThan(deadline);
			HttpResponse<String> response = callFromNodeA("http://inventory/stock/sku-" + calls++);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		}
		for (int i = 0; i < 50; i++) {
			assertThat(callFromNodeA("http://inventory/stock/sku-" + i).statusCode()).isEqualTo(200);
		}
		System.out.println("[measured] calls through node-a while the control plane restarted: " + calls + ", all 200");
		assertThat(endpointsAtNodeA("inventory")).containsExactly("node-a");
	}

	private static boolean registryLists(String service, String node) {
		Http.Response registry = mesh.controlPlaneApi.get("/mesh/v1/registry");
		return registry.status() == 200 && registry.body().contains("\"node\":\"" + node + "\"")
				&& registry.json().path("services").has(service);
	}

	/** {@code size} zero bytes, produced as read: the test's own heap never holds the body either. */
	static final class ZeroStream extends InputStream {

		private long remaining;

		ZeroStream(long size) {
			this.remaining = size;
		}

		@Override
		public int read() {
			if (remaining <= 0) {
				return -1;
			}
			remaining--;
			return 0;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (remaining <= 0) {
				return -1;
			}
			int count = (int) Math.min(length, remaining);
			java.util.Arrays.fill(buffer, offset, offset + count, (byte) 0);
			remaining -= count;
			return count;
		}
	}
}
