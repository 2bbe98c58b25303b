package io.meshgate.demo.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** The server over real HTTP, as the gateway and curl use it. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class DemoAuthServerTest {

	/** application.yml's default: the issuer is fixed, not taken from the (random) port the request came in on. */
	private static final String ISSUER = "http://127.0.0.1:9000";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	int port;

	@Test
	void clientCredentialsGiveAFiveMinuteJwtForMeshgateWithTheAskedScope() throws Exception {
		HttpResponse<String> response = token("demo-client", "demo-secret", "orders.read");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Map<String, Object> body = JSONObjectUtils.parse(response.body());
		assertThat(body).containsEntry("token_type", "Bearer").containsEntry("scope", "orders.read");
		String accessToken = (String) body.get("access_token");

		// the payload as any resource server sees it: the middle part, base64url-decoded JSON
		String[] parts = accessToken.split("\\.");
		assertThat(parts).hasSize(3);
		Map<String, Object> payload = JSONObjectUtils
			.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
		assertThat(payload).containsEntry("iss", ISSUER).containsEntry("sub", "demo-client");
		assertThat(payload.get("aud")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactlyInAnyOrder("demo-client", AuthServerConfig.AUDIENCE);
		assertThat(payload.get("scope")).isIn("orders.read", List.of("orders.read"));
		assertThat(((Number) payload.get("exp")).longValue() - ((Number) payload.get("iat")).longValue())
			.isEqualTo(300);

		// and it verifies against the published key it names
		SignedJWT jwt = SignedJWT.parse(accessToken);
		RSAKey key = JWKSet.parse(get("/oauth2/jwks").body()).getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey();
		assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
		JWTClaimsSet claims = jwt.getJWTClaimsSet();
		assertThat(claims.getExpirationTime()).isAfter(new Date());
	}

	@Test
	void theSecretMayAlsoComeInTheForm() throws Exception {
		HttpResponse<String> response = post("/oauth2/token", null,
				"grant_type=client_credentials&scope=orders.write&client_id=demo-client&client_secret=demo-secret");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).contains("\"scope\":\"orders.write\"");
	}

	@Test
	void aWrongSecretIsRefused() throws Exception {
		HttpResponse<String> response = token("demo-client", "wrong-secret", "orders.read");

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.body()).contains("invalid_client");
	}

	@Test
	void noCredentialsAtAllIsRefused() throws Exception {
		assertThat(post("/oauth2/token", null, "grant_type=client_credentials").statusCode()).isEqualTo(401);
	}

	@Test
	void aScopeTheClientDoesNotHaveIsRefused() throws Exception {
		HttpResponse<String> response = token("demo-client", "demo-secret", "admin");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("invalid_scope");
	}

	@Test
	void theJwksHasOneRsaKeyWithAKid() throws Exception {
		HttpResponse<String> response = get("/oauth2/jwks");

		assertThat(response.statusCode()).isEqualTo(200);
		List<JWK> keys = JWKSet.parse(response.body()).getKeys();
		assertThat(keys).hasSize(1);
		assertThat(keys.get(0)).isInstanceOf(RSAKey.class);
		assertThat(keys.get(0).getKeyID()).isNotBlank();
		assertThat(((RSAKey) keys.get(0)).size()).isEqualTo(2048);
		assertThat(keys.get(0).isPrivate()).as("only the public half is published").isFalse();
	}

	@Test
	void theMetadataNamesTheFixedIssuerAndItsEndpoints() throws Exception {
		HttpResponse<String> response = get("/.well-known/oauth-authorization-server");

		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, Object> metadata = JSONObjectUtils.parse(response.body());
		assertThat(metadata).containsEntry("issuer", ISSUER)
			.containsEntry("token_endpoint", ISSUER + "/oauth2/token")
			.containsEntry("jwks_uri", ISSUER + "/oauth2/jwks");
	}

	private HttpResponse<String> token(String clientId, String secret, String scope) throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		return post("/oauth2/token", "Basic " + basic, "grant_type=client_credentials&scope=" + scope);
	}

	private HttpResponse<String> post(String path, String authorization, String form) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}
}
