package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.JavaProcess;
import io.meshgate.e2e.support.MeshStack;
import tools.jackson.databind.JsonNode;

/**
 * A node enrols with the operator's join token: a real control plane, real agent processes and the gateway. The agent's key stays
 * on the node (owner-only file), its identities show in {@code /actuator/mesh} and survive a restart without a
 * token; a used token, and a token for another control plane, are refused with the reason while the agent serves.
 */
class EnrolmentEndToEndTest {

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final Duration SVID_TTL = Duration.ofSeconds(12);

	@TempDir
	static Path work;

	static MeshStack mesh;

	static final List<JavaProcess> agents = new ArrayList<>();

	@BeforeAll
	static void start() {
		mesh = new MeshStack(work, """
				    spare: {}
				""", Map.of());
		// short-lived identities, so renewals happen during the test
		mesh.startControlPlane(Map.of("MESHGATE_CONTROL_PLANE_CA_SVID_TTL", SVID_TTL.toSeconds() + "s"));
		mesh.controlPlane().awaitHealthy(mesh.controlPlaneApi.managementUrl("/actuator/health"), DEADLINE);
	}

	@AfterAll
	static void stop() {
		agents.forEach(JavaProcess::stop);
		if (mesh != null) {
			mesh.close();
		}
	}

	private static String token(String node, List<String> services) {
		return mesh.controlPlaneApi.token(node, services);
	}

	private static JavaProcess agent(MeshStack.Node node, String token) {
		JavaProcess agent = mesh.startAgent(node, Map.of("orders", mesh.orders, "inventory", mesh.inventory1),
				token == null ? Map.of() : Map.of("MESHGATE_AGENT_JOIN_TOKEN", token));
		agents.add(agent);
		agent.awaitHealthy(node.adminUrl("/actuator/info"), DEADLINE);
		return agent;
	}

	private static JsonNode identity(MeshStack.Node node) {
		return Http.json(node.adminUrl("/actuator/mesh")).path("plane").path("agent").path("identity");
	}

	@Test
	void aNodeEnrolsOnceKeepsItsKeyToItselfAndRestartsWithItsIdentities() throws Exception {
		String token = token("node-a", List.of("orders", "inventory"));
		JavaProcess agent = agent(mesh.a, token);
		JsonNode identity = await().atMost(Duration.ofSeconds(20))
			.until(() -> identity(mesh.a), id -> id.path("state").asString().equals("enrolled"));
		List<String> ids = new ArrayList<>();
		identity.path("spiffeIds").forEach(id -> ids.add(id.asString()));
		assertThat(ids).containsExactlyInAnyOrder("spiffe://meshgate.local/node/node-a",
				"spiffe://meshgate.local/svc/inventory", "spiffe://meshgate.local/svc/orders");
		assertThat(identity.path("expiresAt").asString()).isNotEmpty();
		Path key = mesh.dataDir(mesh.a).resolve("identity/key.pem");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
		assertThat(agent.log()).doesNotContain(token.split("\\.")[2]); // the token's secret is never logged

		// renewed at about half of the remaining life, three times within a few TTLs, the same identities each time
		java.util.Set<String> expiries = new java.util.HashSet<>();
		await().atMost(SVID_TTL.multipliedBy(4)).pollInterval(Duration.ofMillis(200)).until(() -> {
			JsonNode now = identity(mesh.a);
			if (now.path("state").asString().equals("enrolled")) {
				expiries.add(now.path("expiresAt").asString());
			}
			return expiries.size() >= 4;
		});
		assertThat(identity(mesh.a).path("spiffeIds")).hasSize(3);
		assertThat(agent.log()).contains("Node node-a renewed");

		agent.stop();
		agents.remove(agent);
		agent(mesh.a, null);
		await().atMost(Duration.ofSeconds(10)).until(() -> identity(mesh.a).path("state").asString().equals("enrolled"));
		assertThat(identity(mesh.a).path("spiffeIds")).hasSize(3);
	}

	@Test
	void aUsedTokenOrATokenForAnotherControlPlaneIsRefusedWithTheReasonAndTheAgentServes() throws Exception {
		String token = token("node-b", List.of("inventory"));
		JavaProcess first = mesh.startAgent(mesh.b, Map.of("inventory", mesh.inventory2),
				Map.of("MESHGATE_AGENT_JOIN_TOKEN", token));
		agents.add(first);
		first.awaitHealthy(mesh.b.adminUrl("/actuator/info"), DEADLINE);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> identity(mesh.b).path("state").asString().equals("enrolled"));
		first.stop();
		agents.remove(first);

		// the same token again, on a node whose identities were lost
		deleteIdentity(mesh.b);
		JavaProcess second = agent(mesh.b, token);
		JsonNode refused = await().atMost(Duration.ofSeconds(20))
			.until(() -> identity(mesh.b), id -> id.path("state").asString().equals("refused"));
		assertThat(refused.path("problem").asString()).contains("already used");
		assertThat(Http.get(mesh.b.adminUrl("/actuator/info")).status()).isEqualTo(200);
		second.stop();
		agents.remove(second);

		// a token whose pinned fingerprint is another CA's: the node does not even send its CSR
		deleteIdentity(mesh.b);
		String foreign = token("node-b", List.of("inventory")).replaceFirst("\\.[0-9a-f]{64}$", "." + "0".repeat(64));
		agent(mesh.b, foreign);
		JsonNode impostor = await().atMost(Duration.ofSeconds(20))
			.until(() -> identity(mesh.b), id -> id.path("state").asString().equals("refused"));
		assertThat(impostor.path("problem").asString()).contains("is not the one the join token was made for");
	}

	@Test
	void theGatewayEnrolsAsSvcGateway() throws Exception {
		mesh.startGateway(Map.of("MESHGATE_GATEWAY_JOIN_TOKEN", token("gateway", List.of("gateway"))))
			.awaitHealthy(mesh.managementUrl("/actuator/health"), DEADLINE);
		JsonNode identity = await().atMost(Duration.ofSeconds(20))
			.until(() -> Http.json(mesh.managementUrl("/actuator/mesh")).path("plane").path("gateway").path("identity"),
					id -> id.path("state").asString().equals("enrolled"));
		List<String> ids = new ArrayList<>();
		identity.path("spiffeIds").forEach(id -> ids.add(id.asString()));
		assertThat(ids).containsExactlyInAnyOrder("spiffe://meshgate.local/node/gateway",
				"spiffe://meshgate.local/svc/gateway");
	}

	private static void deleteIdentity(MeshStack.Node node) throws Exception {
		Path dir = mesh.dataDir(node).resolve("identity");
		if (Files.exists(dir)) {
			try (var files = Files.list(dir)) {
				for (Path file : files.toList()) {
					Files.delete(file);
				}
			}
		}
	}
}
