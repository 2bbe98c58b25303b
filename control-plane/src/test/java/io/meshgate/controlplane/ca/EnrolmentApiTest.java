package io.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
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
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import io.meshgate.model.identity.Fingerprints;

/**
 * The CA and enrolment on a real control plane over a temporary Git repository: the root and the operator secret
 * made at first start (owner-only), join tokens, and SVIDs checked the way a TLS peer checks them (PKIX path to the
 * root, one SPIFFE URI SAN, not a CA) for the trust domain of the committed model. Every refusal names what was
 * wrong, and none uses up a token it should not.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class EnrolmentApiTest {

	private static final Duration DEADLINE = Duration.ofSeconds(5);

	@TempDir
	static Path temp;

	@DynamicPropertySource
	static void controlPlane(DynamicPropertyRegistry properties) {
		TestConfigRepository.controlPlane(properties, temp,
				"mesh:\n  trust-domain: example.org\n  services:\n    orders: {}\n    inventory: {}\n");
	}

	@Value("${local.server.port}")
	int port;

	@Autowired
	CertificateAuthority ca;

	private MeshCallers callers() {
		return new MeshCallers(ca, "example.org");
	}

	private final JsonMapper json = JsonMapper.builder().build();

	private Path caDir() {
		return temp.resolve("data/control-plane/ca");
	}

	private String operatorSecret() throws IOException {
		return Files.readString(temp.resolve("data/control-plane/operator.secret")).trim();
	}

	private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
		return post(callers().anonymous(), path, authorization, body);
	}

	private HttpResponse<String> post(HttpClient http, String path, String authorization, String body)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.timeout(DEADLINE);
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String token(String node, String services) throws Exception {
		HttpResponse<String> response = post(MeshApi.TOKENS, "Bearer " + operatorSecret(),
				"{\"node\":\"" + node + "\",\"services\":" + services + ",\"ttl\":\"10m\"}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body()).path("token").asString();
	}

	private HttpResponse<String> enrol(String token, String node, String services, String csr) throws Exception {
		return post(MeshApi.ENROL, null, json.writeValueAsString(java.util.Map.of("token", token, "node", node,
				"services", json.readTree(services), "csr", csr)));
	}

	@Test
	void theRootAndTheOperatorSecretAreMadeAtFirstStartReadableByTheOwnerOnly() throws IOException {
		assertThat(Files.exists(caDir().resolve("ca.crt"))).isTrue();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir().resolve("ca.key"))))
			.isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(
				Files.getPosixFilePermissions(temp.resolve("data/control-plane/operator.secret"))))
			.isEqualTo("rw-------");
	}

	@Test
	void makingATokenNeedsTheOperatorSecret() throws Exception {
		String body = "{\"node\":\"node-a\",\"services\":[\"orders\"]}";
		assertThat(post(MeshApi.TOKENS, null, body).statusCode()).isEqualTo(401);
		HttpResponse<String> wrong = post(MeshApi.TOKENS, "Bearer not-the-secret", body);
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(wrong.body()).contains("operator secret").doesNotContain(operatorSecret());
		HttpResponse<String> bad = post(MeshApi.TOKENS, "Bearer " + operatorSecret(),
				"{\"node\":\"no/de\",\"services\":[\"Orders\"],\"ttl\":\"soon\"}");
		assertThat(bad.statusCode()).isEqualTo(400);
		assertThat(bad.body()).contains("node: 'no/de'").contains("services: 'Orders'").contains("ttl: 'soon'");
		assertThat(token("node-a", "[\"orders\"]")).matches("mg1\\.[A-Za-z0-9_-]{8}\\.[A-Za-z0-9_-]{43}\\.[0-9a-f]{64}");
	}

	@Test
	void aNodeTradesItsTokenOnceForSvidsThatChainToTheRootAndCarryItsIdentities() throws Exception {
		String token = token("node-a", "[\"orders\",\"inventory\"]");
		KeyPair key = keyPair();
		HttpResponse<String> response = enrol(token, "node-a", "[\"orders\",\"inventory\"]", csr(key, key));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode enrolment = json.readTree(response.body());
		assertThat(enrolment.path("trustDomain").asString()).isEqualTo("example.org");

		X509Certificate root = certificates(enrolment.path("trustBundle").asString()).get(0);
		// the token pins the root: what a node checks before it trusts the answer
		assertThat(token).endsWith("." + Fingerprints.of(root).substring("sha256:".length()));
		List<String> ids = new ArrayList<>();
		enrolment.path("certificates").properties().forEach(entry -> ids.add(entry.getKey()));
		assertThat(ids).containsExactlyInAnyOrder("spiffe://example.org/node/node-a", "spiffe://example.org/svc/orders",
				"spiffe://example.org/svc/inventory");
		for (String id : ids) {
			X509Certificate svid = certificates(enrolment.path("certificates").path(id).asString()).get(0);
			assertThat(svid.getPublicKey()).isEqualTo(key.getPublic());
			assertThat(svid.getSubjectAlternativeNames()).singleElement()
				.satisfies(san -> assertThat(List.<Object>copyOf(san)).containsExactly(6, id));
			assertThat(svid.getBasicConstraints()).isEqualTo(-1);
			assertThat(svid.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
			PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
			pkix.setRevocationEnabled(false);
			CertPathValidator.getInstance("PKIX")
				.validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(svid)), pkix);
			assertThat(Duration.between(svid.getNotBefore().toInstant(), svid.getNotAfter().toInstant()))
				.isBetween(Duration.ofHours(24), Duration.ofHours(24).plusMinutes(6));
		}

		HttpResponse<String> again = enrol(token, "node-a", "[\"orders\"]", csr(key, key));
		assertThat(again.statusCode()).isEqualTo(401);
		assertThat(again.body()).contains("already used");
	}

	@Test
	void aMalformedOrForgedCsrIsRefusedWithoutUsingUpTheToken() throws Exception {
		String token = token("node-b", "[\"inventory\"]");
		HttpResponse<String> garbage = enrol(token, "node-b", "[\"inventory\"]", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n");
		assertThat(garbage.statusCode()).isEqualTo(400);
		assertThat(garbage.body()).contains("\"error\":\"invalid csr\"");
		// signed by another key than the one it asks a certificate for
		KeyPair mine = keyPair();
		HttpResponse<String> forged = enrol(token, "node-b", "[\"inventory\"]", csr(mine, keyPair()));
		assertThat(forged.statusCode()).isEqualTo(400);
		assertThat(forged.body()).contains("signature does not verify");

		assertThat(enrol(token, "node-b", "[\"inventory\"]", csr(mine, mine)).statusCode()).isEqualTo(200);
	}

	@Test
	void aTokenGrantsOnlyItsNodeAndItsServices() throws Exception {
		KeyPair key = keyPair();
		HttpResponse<String> otherNode = enrol(token("node-c", "[\"orders\"]"), "node-evil", "[\"orders\"]", csr(key, key));
		assertThat(otherNode.statusCode()).isEqualTo(403);
		assertThat(otherNode.body()).contains("for node 'node-c', not 'node-evil'");
		HttpResponse<String> unentitled = enrol(token("node-d", "[\"orders\"]"), "node-d", "[\"orders\",\"payments\"]",
				csr(key, key));
		assertThat(unentitled.statusCode()).isEqualTo(403);
		assertThat(unentitled.body()).contains("[payments]").contains("it allows [orders]");
		HttpResponse<String> forgedToken = enrol(token("node-e", "[\"orders\"]").replaceFirst("\\.[^.]+\\.([0-9a-f]+)$",
				".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.$1"), "node-e", "[\"orders\"]", csr(key, key));
		assertThat(forgedToken.statusCode()).isEqualTo(401);
		assertThat(forgedToken.body()).contains("unknown, forged or already used");
	}

	@Test
	void aNodeRenewsWhatItHoldsForItsOwnKeyOverMutualTlsAndNothingElse() throws Exception {
		KeyPair key = keyPair();
		JsonNode enrolment = json.readTree(enrol(token("node-r", "[\"orders\"]"), "node-r", "[\"orders\"]",
				csr(key, key)).body());
		List<String> held = new ArrayList<>();
		enrolment.path("certificates").properties().forEach(entry -> held.add(entry.getValue().asString()));
		X509Certificate nodeSvid = certificates(
				enrolment.path("certificates").path("spiffe://example.org/node/node-r").asString()).get(0);
		HttpClient node = callers().presenting(key.getPrivate(), nodeSvid);
		String renewal = json.writeValueAsString(java.util.Map.of("certificates", held, "csr", csr(key, key)));

		HttpResponse<String> anonymous = post(MeshApi.RENEW, null, renewal);
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.body()).contains("needs a node's client certificate");

		HttpResponse<String> renewed = post(node, MeshApi.RENEW, null, renewal);
		assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(200);
		List<String> ids = new ArrayList<>();
		json.readTree(renewed.body()).path("certificates").properties().forEach(entry -> ids.add(entry.getKey()));
		assertThat(ids).containsExactlyInAnyOrder("spiffe://example.org/node/node-r", "spiffe://example.org/svc/orders");
		X509Certificate renewedNode = certificates(json.readTree(renewed.body()).path("certificates")
			.path("spiffe://example.org/node/node-r").asString()).get(0);
		assertThat(Entitlements.of(renewedNode)).as("a renewal carries the entitlements over").containsExactly("orders");

		HttpResponse<String> otherKey = post(node, MeshApi.RENEW, null,
				json.writeValueAsString(java.util.Map.of("certificates", held, "csr", csr(keyPair(), keyPair()))));
		assertThat(otherKey.statusCode()).isEqualTo(400); // its signature does not match its key
		// certificates are public: another node renews nothing of them with its own key
		MeshCallers.Held thief = callers().heldNode("node-t");
		HttpResponse<String> stolen = post(thief.client(), MeshApi.RENEW, null, json.writeValueAsString(
				java.util.Map.of("certificates", held, "csr", csr(thief.key(), thief.key()))));
		assertThat(stolen.statusCode()).isEqualTo(403);
		assertThat(stolen.body()).contains("not for the key");
		HttpResponse<String> notItsKey = post(thief.client(), MeshApi.RENEW, null, renewal);
		assertThat(notItsKey.statusCode()).isEqualTo(403);
		assertThat(notItsKey.body()).contains("not for the key of node 'node-t'");

		// a certificate of another CA, for the node's own key
		CertificateAuthority foreign = CertificateAuthority.generate(java.time.Clock.systemUTC());
		String forged = io.meshgate.model.identity.Pem.of(foreign.issue(key.getPublic(),
				URI.create("spiffe://example.org/svc/payments"), Duration.ofHours(1)));
		HttpResponse<String> foreignCa = post(node, MeshApi.RENEW, null,
				json.writeValueAsString(java.util.Map.of("certificates", List.of(forged), "csr", csr(key, key))));
		assertThat(foreignCa.statusCode()).isEqualTo(401);
		assertThat(foreignCa.body()).contains("spiffe://example.org/svc/payments was not issued by this control plane");
	}

	@Test
	void aNodeSvidCarriesTheServicesItsTokenEntitles() throws Exception {
		KeyPair key = keyPair();
		JsonNode enrolment = json.readTree(enrol(token("node-s", "[\"orders\",\"inventory\"]"), "node-s",
				"[\"orders\"]", csr(key, key)).body());
		X509Certificate nodeSvid = certificates(
				enrolment.path("certificates").path("spiffe://example.org/node/node-s").asString()).get(0);
		assertThat(Entitlements.of(nodeSvid)).containsExactly("orders", "inventory");
		X509Certificate workload = certificates(
				enrolment.path("certificates").path("spiffe://example.org/svc/orders").asString()).get(0);
		assertThat(Entitlements.of(workload)).isEmpty();
	}

	@Test
	void theTrustBundleIsPublic() throws Exception {
		HttpResponse<String> bundle = callers().anonymous().send(HttpRequest.newBuilder(
				URI.create("https://127.0.0.1:" + port + MeshApi.TRUST_BUNDLE)).timeout(DEADLINE).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(bundle.statusCode()).isEqualTo(200);
		assertThat(certificates(bundle.body())).singleElement()
			.satisfies(root -> assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0));
	}

	static KeyPair keyPair() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp256r1"));
		return generator.generateKeyPair();
	}

	/** A CSR for {@code subject}'s public key, signed by {@code signer}'s private key (a forgery when they differ). */
	static String csr(KeyPair subject, KeyPair signer) throws Exception {
		PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=node"),
				subject.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(csr);
		}
		return text.toString();
	}

	@SuppressWarnings("unchecked")
	static List<X509Certificate> certificates(String pem) throws Exception {
		return new ArrayList<>((java.util.Collection<X509Certificate>) CertificateFactory.getInstance("X.509")
			.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
	}
}
