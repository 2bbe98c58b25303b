package io.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
import io.meshgate.model.identity.Fingerprints;
import io.meshgate.model.identity.Pem;
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A CA root rotation on a real control plane: only the operator starts one, an overlap shorter than the certificates'
 * life is refused, and through the phases the control plane serves from the new root while still taking the old
 * root's certificates, then drops the old root.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RotationApiTest {

	private static final Duration DEADLINE = Duration.ofSeconds(10);

	@TempDir
	static Path temp;

	@DynamicPropertySource
	static void controlPlane(DynamicPropertyRegistry properties) {
		TestConfigRepository.controlPlane(properties, temp, "mesh:\n  services:\n    orders: {}\n");
		properties.add("meshgate.control-plane.ca.svid-ttl", () -> "4s");
		properties.add("meshgate.control-plane.tls.ttl", () -> "4s");
	}

	@Value("${local.server.port}")
	int port;

	@Autowired
	CertificateAuthority ca;

	private final JsonMapper json = JsonMapper.builder().build();

	private HttpResponse<String> send(HttpClient client, String method, String path, String authorization,
			String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
			.header("Content-Type", "application/json")
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
			.timeout(DEADLINE);
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String operator() throws Exception {
		return "Bearer " + Files.readString(temp.resolve("data/control-plane/operator.secret")).trim();
	}

	@Test
	void theOperatorRotatesTheRootAndTheControlPlaneKeepsTakingTheOldRootsCertificatesThroughTheOverlap()
			throws Exception {
		MeshCallers before = new MeshCallers(ca, "meshgate.local");
		MeshCallers.Held oldNode = before.heldNode("node-a");
		String oldRoot = ca.fingerprint();

		HttpResponse<String> asNode = send(oldNode.client(), "POST", MeshApi.CA_ROTATION, null, "{}");
		assertThat(asNode.statusCode()).as(asNode.body()).isIn(401, 403);
		HttpResponse<String> tooShort = send(before.anonymous(), "POST", MeshApi.CA_ROTATION, operator(),
				"{\"overlap\":\"1s\"}");
		assertThat(tooShort.statusCode()).isEqualTo(400);
		assertThat(tooShort.body()).contains("overlap: 1s is shorter than the longest certificate life (4s)");
		assertThat(ca.trustedRoots()).hasSize(1);

		HttpResponse<String> started = send(before.anonymous(), "POST", MeshApi.CA_ROTATION, operator(),
				"{\"propagation\":\"2s\",\"overlap\":\"4s\"}");
		assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
		String newRoot = json.readTree(started.body()).path("next").asString();
		assertThat(newRoot).matches("sha256:[0-9a-f]{64}").isNotEqualTo(oldRoot);
		HttpResponse<String> again = send(before.anonymous(), "POST", MeshApi.CA_ROTATION, operator(), "{}");
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("a rotation is under way");
		assertThat(Pem.certificates(send(before.anonymous(), "GET", MeshApi.TRUST_BUNDLE, null, null).body()))
			.as("both roots trusted while the new one propagates")
			.hasSize(2);

		// activated: the control plane serves a certificate of the new root, and still takes the old root's
		await().atMost(DEADLINE).until(() -> ca.fingerprint().equals(newRoot));
		MeshCallers after = new MeshCallers(ca, "meshgate.local");
		await().atMost(DEADLINE).ignoreExceptions()
			.until(() -> send(after.anonymous(), "GET", MeshApi.TRUST_BUNDLE, null, null).statusCode() == 200);
		HttpResponse<String> status = send(after.presenting(oldNode.key().getPrivate(), oldNode.certificate()), "GET",
				MeshApi.CA, null, null);
		assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
		JsonNode phase = json.readTree(status.body());
		assertThat(phase.path("signing").asString()).isEqualTo(newRoot);
		assertThat(phase.path("previous").asString()).isEqualTo(oldRoot);
		assertThat(Fingerprints.of(ca.root())).isEqualTo(newRoot);

		// retired: only the new root is left
		await().atMost(DEADLINE).until(() -> ca.trustedRoots().size() == 1);
		assertThat(Pem.certificates(send(after.anonymous(), "GET", MeshApi.TRUST_BUNDLE, null, null).body()))
			.extracting(Fingerprints::of)
			.containsExactly(newRoot);
		assertThat(send(after.node("node-b"), "GET", MeshApi.STATUS, null, null).statusCode())
			.as("a node of the new root").isEqualTo(200);
	}
}
