package io.meshgate.controlplane.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
import io.meshgate.model.protocol.MeshApi;

/**
 * Who gets what from the control plane's port, on a real server over TLS: the config (by every path form the config
 * server answers), the watch stream and the status go to nodes of the mesh and to the operator; anyone else gets 401
 * and nothing of the config; certificates of another CA or expired ones fail the handshake; plain HTTP is refused;
 * health stays open on the management port.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ApiAccessTest {

	private static final Duration DEADLINE = Duration.ofSeconds(10);

	/** A value only the config holds: no refusal may carry it. */
	private static final String SECRET_VALUE = "only-in-the-config";

	@TempDir
	static Path temp;

	@DynamicPropertySource
	static void controlPlane(DynamicPropertyRegistry properties) {
		TestConfigRepository.controlPlane(properties, temp,
				"mesh:\n  services:\n    orders:\n      timeout: 2s\n" + "note: " + SECRET_VALUE + "\n");
	}

	@Value("${local.server.port}")
	int port;

	@Value("${local.management.port}")
	int managementPort;

	@Autowired
	CertificateAuthority ca;

	private MeshCallers callers() {
		return new MeshCallers(ca, "meshgate.local");
	}

	private static final List<String> CONFIG_READS = List.of("/mesh-agent/default", "/mesh-agent/default/main",
			"/main/mesh-agent-default.yml", "/mesh-agent-default.properties", MeshApi.STATUS, MeshApi.REGISTRY);

	private HttpResponse<String> get(HttpClient client, String path, String authorization)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
			.timeout(DEADLINE);
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String operator() throws IOException {
		return "Bearer " + Files.readString(temp.resolve("data/control-plane/operator.secret")).trim();
	}

	@Test
	void nodesAndTheOperatorReadTheConfigAndNoOneElse() throws Exception {
		HttpClient node = callers().node("node-a", "orders");
		await().atMost(DEADLINE).until(() -> get(node, MeshApi.STATUS, null).statusCode() == 200);
		for (String path : CONFIG_READS) {
			assertThat(get(node, path, null).statusCode()).as("node: " + path).isEqualTo(200);
			assertThat(get(callers().anonymous(), path, operator()).statusCode()).as("operator: " + path).isEqualTo(200);
		}
		assertThat(get(node, "/mesh-agent/default", null).body()).contains(SECRET_VALUE);

		for (String path : CONFIG_READS) {
			HttpResponse<String> anonymous = get(callers().anonymous(), path, null);
			assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
			assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
			assertThat(anonymous.body()).as(path).contains("\"error\":\"unauthorized\"").doesNotContain(SECRET_VALUE)
				.doesNotContain("orders");
			HttpResponse<String> wrongSecret = get(callers().anonymous(), path, "Bearer guessed");
			assertThat(wrongSecret.statusCode()).as(path).isEqualTo(401);
			HttpResponse<String> workload = get(callers().workload("orders"), path, null);
			assertThat(workload.statusCode()).as(path).isEqualTo(403);
			assertThat(workload.body()).doesNotContain(SECRET_VALUE);
		}
	}

	@Test
	void theWatchStreamNeedsAMeshIdentity() throws Exception {
		HttpResponse<java.io.InputStream> anonymous = callers().anonymous().send(
				HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + MeshApi.WATCH)).timeout(DEADLINE)
					.build(), HttpResponse.BodyHandlers.ofInputStream());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		anonymous.body().close();
		HttpResponse<java.io.InputStream> node = callers().node("node-a").send(HttpRequest
			.newBuilder(URI.create("https://127.0.0.1:" + port + MeshApi.WATCH)).build(),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(node.statusCode()).isEqualTo(200);
		node.body().close();
	}

	@Test
	void certificatesOfAnotherCaOrExpiredOnesFailTheHandshakeAndTheServerStaysUp() throws Exception {
		for (HttpClient refused : List.of(callers().foreign("node-a"),
				callers().expired(temp.resolve("data/control-plane/ca"), "node-a"))) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(refused, "/mesh-agent/default", null));
		}
		assertThat(get(callers().node("node-a"), "/mesh-agent/default", null).statusCode()).isEqualTo(200);
	}

	@Test
	void joinTokensAreTheOperatorsAloneAndTheTrustBundleAndEnrolmentAreOpen() throws Exception {
		HttpResponse<String> byNode = callers().node("node-a").send(HttpRequest
			.newBuilder(URI.create("https://127.0.0.1:" + port + MeshApi.TOKENS))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"node-b\",\"services\":[\"orders\"]}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(byNode.statusCode()).isEqualTo(403);
		assertThat(byNode.body()).contains("needs the operator secret");
		assertThat(get(callers().anonymous(), MeshApi.TRUST_BUNDLE, null).statusCode()).isEqualTo(200);
		HttpResponse<String> enrol = callers().anonymous().send(HttpRequest
			.newBuilder(URI.create("https://127.0.0.1:" + port + MeshApi.ENROL))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(enrol.statusCode()).as("reaches enrolment, which judges the request").isEqualTo(400);
	}

	@Test
	void plainHttpIsRefusedAndHealthIsOpenOnTheManagementPort() throws Exception {
		HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/mesh-agent/default")).timeout(DEADLINE).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(plain.statusCode()).isEqualTo(400);
		assertThat(plain.body()).contains("requires TLS").doesNotContain(SECRET_VALUE);
		HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health")).timeout(DEADLINE)
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).isEqualTo(200);
	}
}
