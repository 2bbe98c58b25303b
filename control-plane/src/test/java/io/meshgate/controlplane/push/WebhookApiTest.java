package io.meshgate.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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
 * The control plane's Git side on a real server: only a webhook body signed with the shared secret makes it check
 * Git, and the Git credentials it is given appear in none of its answers.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class WebhookApiTest {

	private static final String SECRET = "it's a secret";

	@TempDir
	static Path temp;

	@DynamicPropertySource
	static void controlPlane(DynamicPropertyRegistry properties) {
		TestConfigRepository.controlPlane(properties, temp, "mesh:\n  services:\n    orders: {}\n");
		properties.add("meshgate.control-plane.webhook-secret", () -> SECRET);
		// configured (a local repository does not use them): they must never be shown
		properties.add("spring.cloud.config.server.git.username", () -> "git-bot");
		properties.add("spring.cloud.config.server.git.password", () -> GIT_PASSWORD);
	}

	private static final String GIT_PASSWORD = "git-password-never-shown";

	@Value("${local.server.port}")
	int port;

	@Value("${local.management.port}")
	int managementPort;

	@Autowired
	CertificateAuthority ca;

	/** The webhook takes no client certificate: Git hosting services have none. */
	private HttpClient http() {
		return new MeshCallers(ca, "meshgate.local").anonymous();
	}

	private HttpResponse<String> post(byte[] body, String header, String value) throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("https://127.0.0.1:" + port + MeshApi.POLL))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if (header != null) {
			request.header(header, value);
		}
		return http().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	static String hmac(String secret, byte[] body) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		return HexFormat.of().formatHex(mac.doFinal(body));
	}

	@Test
	void onlyABodySignedWithTheSecretMakesItCheckGit() throws Exception {
		byte[] push = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
		HttpResponse<String> unsigned = post(push, null, null);
		assertThat(unsigned.statusCode()).isEqualTo(401);
		assertThat(unsigned.body()).contains("X-Hub-Signature-256").doesNotContain(SECRET);
		assertThat(post(push, "X-Hub-Signature-256", "sha256=" + hmac("another secret", push)).statusCode())
			.isEqualTo(401);
		// the signature of another body: a replayed header does not sign a changed payload
		assertThat(post(push, "X-Hub-Signature-256", "sha256=" + hmac(SECRET, "{}".getBytes())).statusCode())
			.isEqualTo(401);

		HttpResponse<String> github = post(push, "X-Hub-Signature-256", "sha256=" + hmac(SECRET, push));
		assertThat(github.statusCode()).as(github.body()).isEqualTo(200);
		assertThat(github.body()).contains("\"valid\":true");
		assertThat(post(push, "X-Gitea-Signature", hmac(SECRET, push)).statusCode()).isEqualTo(200);
	}

	@Test
	void gitCredentialsAppearInNoAnswer() throws Exception {
		HttpClient node = new MeshCallers(ca, "meshgate.local").node("node-a");
		// the status answers 503 until the first commit is checked
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.send(HttpRequest
			.newBuilder(URI.create("https://127.0.0.1:" + port + MeshApi.STATUS)).build(),
				HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
		for (String path : new String[] { MeshApi.STATUS, "/mesh-agent/default", "/gateway/default" }) {
			HttpResponse<String> answer = node.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(answer.statusCode()).as(path).isEqualTo(200);
			assertThat(answer.body()).as(path).doesNotContain(GIT_PASSWORD).doesNotContain("git-bot");
		}
		for (String path : new String[] { "/actuator/health", "/actuator/info", "/actuator" }) {
			HttpResponse<String> answer = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
					.timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(answer.statusCode()).as(path).isEqualTo(200);
			assertThat(answer.body()).as(path).doesNotContain(GIT_PASSWORD).doesNotContain("git-bot");
		}
	}

	@Test
	void aBodyOverOneMegabyteIsRefusedUnread() throws Exception {
		byte[] huge = new byte[2 * 1024 * 1024];
		assertThat(post(huge, "X-Hub-Signature-256", "sha256=" + hmac(SECRET, huge)).statusCode()).isEqualTo(413);
	}

	@Test
	void withoutASecretTheWebhookIsOff() {
		WebhookSignature off = new WebhookSignature("");
		assertThat(off.enabled()).isFalse();
		assertThat(off.verifies(new byte[0], "sha256=00")).isFalse();
	}
}
