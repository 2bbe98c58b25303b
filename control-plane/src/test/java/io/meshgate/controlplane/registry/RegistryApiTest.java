package io.meshgate.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.meshgate.controlplane.MeshCallers;
import io.meshgate.controlplane.TestConfigRepository;
import io.meshgate.controlplane.ca.CertificateAuthority;
import io.meshgate.controlplane.registry.EventStream.Event;
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The registry's HTTP API and its push over the watch stream, on a real server over a temporary Git repository. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext // stop the server before JUnit deletes its Git repository and data directory
class RegistryApiTest {

	private static final Duration DEADLINE = Duration.ofSeconds(5);

	@TempDir
	static Path temp;

	@DynamicPropertySource
	static void controlPlane(DynamicPropertyRegistry properties) {
		TestConfigRepository.controlPlane(properties, temp, RegistryApiTest::configRepository);
		properties.add("meshgate.control-plane.heartbeat", () -> "200ms");
		properties.add("meshgate.control-plane.registry-warmup", () -> "500ms");
	}

	private static Path configRepository() {
		return TestConfigRepository.in(temp, "mesh:\n  services:\n    orders:\n      timeout: 2s\n"
				+ "    payments:\n      endpoints: [ http://127.0.0.1:9 ]\n");
	}

	@Value("${local.server.port}")
	int port;

	@Value("${local.management.port}")
	int managementPort;

	@Autowired
	CertificateAuthority ca;

	/** What the test nodes' join tokens entitled them to. */
	private static final String[] ENTITLED = { "inventory", "orders", "payments", "short-lived", "watched" };

	private final Map<String, HttpClient> nodes = new ConcurrentHashMap<>();

	private final JsonMapper json = JsonMapper.builder().build();

	private MeshCallers callers() {
		return new MeshCallers(ca, "meshgate.local");
	}

	/** The node's own client, as its agent would call: with its node SVID. */
	private HttpClient as(String node) {
		return nodes.computeIfAbsent(node, name -> callers().node(name, ENTITLED));
	}

	private URI uri(String path) {
		return URI.create("https://127.0.0.1:" + port + path);
	}

	private HttpResponse<String> put(String node, String body) throws IOException, InterruptedException {
		return put(as(node), node, body);
	}

	private HttpResponse<String> put(HttpClient caller, String node, String body)
			throws IOException, InterruptedException {
		return caller.send(HttpRequest.newBuilder(uri(MeshApi.REGISTRY + "/nodes/" + node))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(body))
			.timeout(DEADLINE)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String node) throws IOException, InterruptedException {
		return delete(as(node), node);
	}

	private HttpResponse<String> delete(HttpClient caller, String node) throws IOException, InterruptedException {
		return caller.send(HttpRequest.newBuilder(uri(MeshApi.REGISTRY + "/nodes/" + node)).DELETE().timeout(DEADLINE)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return as("reader").send(HttpRequest.newBuilder(uri(path)).timeout(DEADLINE).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> management(String path) throws IOException, InterruptedException {
		return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
				URI.create("http://127.0.0.1:" + managementPort + path)).timeout(DEADLINE).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private JsonNode registry() throws IOException, InterruptedException {
		HttpResponse<String> response = get(MeshApi.REGISTRY);
		assertThat(response.statusCode()).isEqualTo(200);
		return json.readTree(response.body());
	}

	private static String registration(String node, String address, String services, int ttl) {
		return "{\"node\":\"" + node + "\",\"inboundAddress\":\"" + address + "\",\"services\":" + services
				+ ",\"ttlSeconds\":" + ttl + "}";
	}

	@Test
	void registersRenewsAndRemovesANode() throws Exception {
		long before = registry().path("revision").asLong();

		HttpResponse<String> registered = put("node-b",
				registration("node-b", "http://127.0.0.1:16006", "[\"inventory\",\"orders\"]", 30));

		assertThat(registered.statusCode()).isEqualTo(200);
		assertThat(registered.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/json"));
		JsonNode set = json.readTree(registered.body());
		assertThat(set.path("revision").asLong()).isGreaterThan(before);
		assertThat(set.path("services").path("inventory").toString()).isEqualTo(
				"[{\"service\":\"inventory\",\"node\":\"node-b\",\"address\":\"http://127.0.0.1:16006\"}]");
		assertThat(registry()).isEqualTo(set);

		HttpResponse<String> heartbeat = put("node-b",
				registration("node-b", "http://127.0.0.1:16006", "[\"orders\",\"inventory\"]", 30));
		assertThat(heartbeat.statusCode()).isEqualTo(200);
		assertThat(json.readTree(heartbeat.body())).isEqualTo(set);

		assertThat(management("/actuator/prometheus").body()).contains("meshgate_controlplane_registry_endpoints")
			.contains("meshgate_controlplane_registry_expired_total");

		assertThat(delete("node-b").statusCode()).isEqualTo(204);
		JsonNode after = registry();
		assertThat(after.path("revision").asLong()).isGreaterThan(set.path("revision").asLong());
		assertThat(after.path("services").has("inventory")).isFalse();
		assertThat(delete("node-b").statusCode()).isEqualTo(204);
		assertThat(delete("never-registered").statusCode()).isEqualTo(204);
	}

	@Test
	void aServiceWithStaticEndpointsCannotBeTakenOverThroughTheRegistry() throws Exception {
		// the control plane learns the served commit's model once it has validated it
		await().atMost(DEADLINE).until(() -> get(MeshApi.STATUS).statusCode() == 200);
		HttpResponse<String> claim = put("node-evil",
				registration("node-evil", "http://127.0.0.1:18777", "[\"orders\",\"payments\"]", 300));
		assertThat(claim.statusCode()).isEqualTo(403);
		assertThat(claim.body()).contains("\"error\":\"not entitled\"").contains("[payments]")
			.contains("static endpoints");
		assertThat(registry().path("services").has("payments")).isFalse();
		assertThat(registry().path("services").path("orders").toString()).doesNotContain("node-evil");
	}

	@Test
	void aRegistrationIsBoundedInServicesAndBytes() throws Exception {
		StringBuilder many = new StringBuilder("[");
		for (int i = 0; i < 70; i++) {
			many.append(i == 0 ? "" : ",").append("\"svc-").append(i).append('"');
		}
		HttpResponse<String> tooMany = put("node-wide", registration("node-wide", "http://127.0.0.1:17006",
				many.append(']').toString(), 10));
		assertThat(tooMany.statusCode()).isEqualTo(400);
		assertThat(tooMany.body()).contains("services: 70 services; a node registers at most 64");
		HttpResponse<String> huge = put("node-huge", registration("node-huge", "http://127.0.0.1:17006",
				"[\"" + "a".repeat(20_000) + "\"]", 10));
		assertThat(huge.statusCode()).isEqualTo(413);
		assertThat(registry().path("services").size()).isLessThanOrEqualTo(2);
	}

	@Test
	void aNodeThatStopsHeartbeatingExpires() throws Exception {
		assertThat(put("node-short", registration("node-short", "http://127.0.0.1:17006", "[\"short-lived\"]", 1))
			.statusCode()).isEqualTo(200);
		assertThat(registry().path("services").has("short-lived")).isTrue();

		await().atMost(DEADLINE).until(() -> !registry().path("services").has("short-lived"));
		assertThat(json.readTree(management("/actuator/metrics/meshgate.controlplane.registry.expired").body())
			.path("measurements").get(0).path("value").asDouble()).isGreaterThanOrEqualTo(1.0);
	}

	@Test
	void prometheusDiscoversTheControlPlaneTheGatewaysAndEveryAgentThatSaidWhereItIsScraped() throws Exception {
		String withMetrics = "{\"node\":\"node-sd\",\"inboundAddress\":\"http://127.0.0.1:17006\",\"services\":"
				+ "[\"orders\"],\"ttlSeconds\":30,\"metricsAddress\":\"http://10.1.2.3:17000\"}";
		assertThat(put("node-sd", withMetrics).statusCode()).isEqualTo(200);
		assertThat(put("node-quiet", registration("node-quiet", "http://127.0.0.1:18006", "[]", 30)).statusCode())
			.isEqualTo(200);

		HttpResponse<String> answer = management("/actuator/targets");
		assertThat(answer.statusCode()).isEqualTo(200);
		JsonNode groups = json.readTree(answer.body());
		Map<String, JsonNode> byTarget = new java.util.HashMap<>();
		groups.forEach(group -> byTarget.put(group.path("targets").get(0).asString(), group.path("labels")));
		assertThat(byTarget).containsKeys("127.0.0.1:" + managementPort, "127.0.0.1:8090", "10.1.2.3:17000")
			.as("a node that did not say where it is scraped is not listed")
			.doesNotContainKey("127.0.0.1:18006");
		assertThat(byTarget.get("127.0.0.1:" + managementPort).path("component").asString()).isEqualTo("control-plane");
		assertThat(byTarget.get("127.0.0.1:8090").path("component").asString()).isEqualTo("gateway");
		JsonNode agent = byTarget.get("10.1.2.3:17000");
		assertThat(agent.path("component").asString()).isEqualTo("mesh-agent");
		assertThat(agent.path("node").asString()).isEqualTo("node-sd");
		assertThat(agent.path("__metrics_path__").asString()).isEqualTo("/actuator/prometheus");

		// the lease ends: the agent leaves discovery with it
		assertThat(delete("node-sd").statusCode()).isEqualTo(204);
		assertThat(management("/actuator/targets").body()).doesNotContain("10.1.2.3");
		assertThat(management("/actuator/prometheus").body()).contains("meshgate_controlplane_registry_nodes");
		delete("node-quiet");
	}

	@Test
	void refusesBadRegistrationsNamingTheField() throws Exception {
		assertBadRequest(put("node-b", "{\"node\":\"node-b\",\"inboundAddress\":\"http://127.0.0.1:16006\","
				+ "\"services\":[],\"ttlSeconds\":10,\"metricsAddress\":\"http://127.0.0.1:16000/actuator\"}"),
				"metricsAddress: 'http://127.0.0.1:16000/actuator' must be only scheme, host and port");
		assertBadRequest(put("node-b", registration("node-b", "ftp://127.0.0.1:16006", "[]", 10)),
				"inboundAddress: 'ftp://127.0.0.1:16006' is not an absolute http(s) URI with host and port");
		assertBadRequest(put("node-b", registration("node-b", "http://127.0.0.1", "[]", 10)),
				"inboundAddress: 'http://127.0.0.1' is not an absolute http(s) URI with host and port");
		assertBadRequest(put("node-b", registration("node-b", "http://127.0.0.1:16006", "[\"Inventory\"]", 10)),
				"services[0]: 'Inventory' is not a valid service name");
		assertBadRequest(put("node-b", registration("node-a", "http://127.0.0.1:16006", "[]", 10)),
				"node: 'node-a' does not match the node in the path 'node-b'");
		assertBadRequest(put("node-b", registration("node-b", "http://127.0.0.1:16006", "[]", 0)),
				"ttlSeconds: 0 is out of range (1 to 300)");
		assertBadRequest(put("node-b", registration("node-b", "http://127.0.0.1:16006", "[]", 301)),
				"ttlSeconds: 301 is out of range (1 to 300)");
		assertBadRequest(put("node-b", "{\"node\":\"node-b\",\"ttlSeconds\":\"soon\"}"), "ttlSeconds: ");
		assertBadRequest(put("node-b", "{not json"), "body: ");

		assertThat(registry().path("services").has("inventory")).isFalse();
	}

	private void assertBadRequest(HttpResponse<String> response, String message) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		JsonNode body = json.readTree(response.body());
		assertThat(body.path("error").asString()).isNotBlank();
		assertThat(body.path("message").asString()).startsWith(message);
	}

	@Test
	void aWatchSubscriberGetsTheVersionAndTheEndpointsAtOnceAndEveryChange() throws Exception {
		await().atMost(DEADLINE).until(() -> get(MeshApi.STATUS).statusCode() == 200);
		String version = json.readTree(get(MeshApi.STATUS).body()).path("version").asString();

		try (EventStream stream = EventStream.open(as("watcher"), uri(MeshApi.WATCH))) {
			assertThat(stream.response().statusCode()).isEqualTo(200);
			Event first = stream.next(DEADLINE);
			assertThat(first.name()).isEqualTo(MeshApi.VERSION_EVENT);
			assertThat(json.readTree(first.data()).path("version").asString()).isEqualTo(version);

			Event roots = stream.next(DEADLINE);
			assertThat(roots.name()).as("the CA's roots, pushed at connect").isEqualTo(MeshApi.BUNDLE_EVENT);
			assertThat(json.readTree(roots.data()).path("pem").asString()).startsWith("-----BEGIN CERTIFICATE-----");
			assertThat(json.readTree(roots.data()).path("signing").asString()).matches("sha256:[0-9a-f]{64}");

			Event connected = stream.next(DEADLINE);
			assertThat(connected.name()).isEqualTo(MeshApi.ENDPOINTS_EVENT);
			JsonNode current = json.readTree(connected.data());
			assertThat(current).isEqualTo(registry());

			put("node-w", registration("node-w", "http://127.0.0.1:18006", "[\"watched\"]", 30));

			Event changed = stream.next(DEADLINE);
			assertThat(changed.name()).isEqualTo(MeshApi.ENDPOINTS_EVENT);
			JsonNode set = json.readTree(changed.data());
			assertThat(set.path("revision").asLong()).isGreaterThan(current.path("revision").asLong());
			assertThat(set.path("services").path("watched").get(0).path("address").asString())
				.isEqualTo("http://127.0.0.1:18006");

			put("node-w", registration("node-w", "http://127.0.0.1:18006", "[\"watched\"]", 30)); // heartbeat
			delete("node-w");

			Event left = stream.next(DEADLINE);
			assertThat(left.name()).as("a heartbeat pushes nothing").isEqualTo(MeshApi.ENDPOINTS_EVENT);
			JsonNode after = json.readTree(left.data());
			assertThat(after.path("revision").asLong()).isEqualTo(set.path("revision").asLong() + 1);
			assertThat(after.path("services").has("watched")).isFalse();
		}
	}

	@Test
	void aNodeRegistersItselfOnlyAndOnlyTheServicesItsTokenEntitledItTo() throws Exception {
		HttpClient nodeA = callers().node("node-a", "orders");

		HttpResponse<String> impostor = put(nodeA, "node-b",
				registration("node-b", "http://127.0.0.1:18777", "[\"orders\"]", 300));
		assertThat(impostor.statusCode()).isEqualTo(403);
		assertThat(impostor.body()).contains("node 'node-a' may register itself only, not node 'node-b'");

		HttpResponse<String> unentitled = put(nodeA, "node-a",
				registration("node-a", "http://127.0.0.1:18777", "[\"orders\",\"inventory\"]", 300));
		assertThat(unentitled.statusCode()).isEqualTo(403);
		assertThat(unentitled.body()).contains("not entitled to serve [inventory] (its join token allowed [orders])");
		assertThat(registry().path("services").has("inventory")).isFalse();

		assertThat(put(nodeA, "node-a", registration("node-a", "http://127.0.0.1:18777", "[\"orders\"]", 300))
			.statusCode()).isEqualTo(200);
		HttpResponse<String> removeOther = delete(as("node-x"), "node-a");
		assertThat(removeOther.statusCode()).isEqualTo(403);
		assertThat(removeOther.body()).contains("node 'node-x' may remove itself only");
		assertThat(registry().path("services").path("orders").toString()).contains("node-a");
		assertThat(delete(nodeA, "node-a").statusCode()).isEqualTo(204);
	}

	@Test
	void theRegistryAnswersNoOneWithoutAMeshIdentity() throws Exception {
		String evil = registration("evil", "http://127.0.0.1:18777", "[\"orders\"]", 300);
		HttpResponse<String> anonymous = put(callers().anonymous(), "evil", evil);
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.body()).contains("needs a node's client certificate");
		HttpResponse<String> workload = put(callers().workload("orders"), "evil", evil);
		assertThat(workload.statusCode()).isEqualTo(403);
		assertThat(workload.body()).contains("takes node identities").contains("/svc/orders");
		assertThat(callers().anonymous().send(HttpRequest.newBuilder(uri(MeshApi.REGISTRY)).build(),
				HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
		// certificates the handshake itself refuses: another CA's, an expired one
		for (HttpClient refused : List.of(callers().foreign("evil"),
				callers().expired(temp.resolve("data/control-plane/ca"), "evil"))) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> put(refused, "evil", evil));
		}
		assertThat(registry().path("services").path("orders").toString()).doesNotContain("evil");
		assertThat(put("node-b", registration("node-b", "http://127.0.0.1:16006", "[\"orders\"]", 30)).statusCode())
			.as("the control plane still serves").isEqualTo(200);
		delete("node-b");
	}
}
