package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.meshgate.e2e.support.EdgeStack;
import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.JavaProcess;
import io.meshgate.e2e.support.Project;
import io.meshgate.e2e.support.PrometheusScrape;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer tokens at the edge, end to end: the demo auth server (Spring Authorization Server) issues client-credentials
 * JWTs; the gateway, configured by the project's own config-repo ({@code mesh.jwt}, routes' {@code auth}), checks
 * them on both transports (the HTTP/1.1 relay; reactor-netty) and hands the principal to the service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeTokensEndToEndTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final java.net.http.HttpClient IDP = java.net.http.HttpClient.newHttpClient();

	/**
	 * RELAY: plain HTTP/1.1; REACTOR: {@code Expect: 100-continue}, which the relay hands to reactor-netty (h2c
	 * would too, but the demo services speak HTTP/1.1 only and the gateway keeps the caller's protocol upstream).
	 */
	enum Transport {
		RELAY, REACTOR
	}

	record Answer(int status, HttpHeaders headers, String body) {

		JsonNode json() {
			return JSON.readTree(body);
		}
	}

	@TempDir
	static Path work;

	static EdgeStack stack;

	static JavaProcess authServer;

	static final int AUTH_PORT = FreePorts.next();

	static JavaProcess startAuthServer() {
		return new JavaProcess("auth-server", Project.jar("demo-auth-server", "-exec"), work,
				Map.of("MESHGATE_AUTH_SERVER_PORT", String.valueOf(AUTH_PORT), "MESHGATE_AUTH_SERVER_ISSUER",
						"http://127.0.0.1:" + AUTH_PORT))
			.start()
			.awaitHealthy("http://127.0.0.1:" + AUTH_PORT + "/oauth2/jwks", Duration.ofSeconds(60));
	}

	@BeforeAll
	static void start() {
		authServer = startAuthServer();
		stack = new EdgeStack(work, true);
		int plainEcho = stack.ordersPort;
		stack.repo.edit("application.yml", yaml -> yaml.replace("127.0.0.1:9000", "127.0.0.1:" + AUTH_PORT)
			.replace("  routes:\n", """
					  routes:
					    - id: private-echo
					      ingress: { path: /private/echo, strip-prefix: 1 }
					      to: orders
					      auth: { scopes: [ orders.read ] }
					    - id: token-echo
					      ingress: { path: /token/echo, strip-prefix: 1 }
					      to: orders
					    - id: public-echo
					      ingress: { path: /public/echo, strip-prefix: 1 }
					      to: orders
					      auth: none
					"""), "echo routes behind tokens, the demo auth server on this test's port");
		stack.repo.edit("gateway.yml", yaml -> yaml.replace("          routes:\n", """
				          routes:
				            - id: plain-echo
				              uri: http://127.0.0.1:%d
				              predicates:
				                - Path=/plain/echo
				              filters:
				                - SetPath=/echo
				""".formatted(plainEcho)), "a plain Spring Cloud Gateway route to an echo");
		stack.startAll();
		await().atMost(Duration.ofSeconds(15))
			.until(() -> Http.get(stack.gatewayUrl("/public/echo")).status() == 200);
	}

	@AfterAll
	static void stop() {
		if (stack != null) {
			stack.close();
		}
		if (authServer != null) {
			authServer.stop();
		}
	}

	/** A client-credentials token from the demo auth server, as the README's curl gets one. */
	static String token(String scope) throws Exception {
		HttpResponse<String> response = IDP.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + AUTH_PORT + "/oauth2/token"))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString("demo-client:demo-secret".getBytes(StandardCharsets.UTF_8)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + scope))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body()).path("access_token").asString();
	}

	static Answer call(Transport transport, String path, Map<String, String> headers) {
		HttpClient client = HttpClient.newConnection()
			.protocol(HttpProtocol.HTTP11)
			.responseTimeout(Duration.ofSeconds(10))
			.headers(h -> headers.forEach(h::add));
		var request = transport == Transport.REACTOR
				? client.headers(h -> h.set("expect", "100-continue"))
					.post()
					.uri(stack.gatewayUrl(path))
					.send(Mono.just(Unpooled.wrappedBuffer("x".getBytes(StandardCharsets.UTF_8))))
				: client.get().uri(stack.gatewayUrl(path));
		return request.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
			.block(Duration.ofSeconds(15));
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	@Order(1)
	void aTokenFromTheAuthServerOpensTheRouteAndTheServiceGetsItsPrincipalNotTheCallers(Transport transport)
			throws Exception {
		String token = token("orders.read");

		Answer echo = call(transport, "/private/echo", Map.of("Authorization", "Bearer " + token,
				"x-meshgate-subject", "admin", "x-meshgate-scopes", "orders.write admin"));

		assertThat(echo.status()).as(echo.body()).isEqualTo(200);
		JsonNode seen = echo.json().path("headers");
		assertThat(seen.path("x-meshgate-subject").asString()).isEqualTo("demo-client");
		assertThat(seen.path("x-meshgate-scopes").asString()).isEqualTo("orders.read");
		Answer orders = call(transport, "/api/orders/7", Map.of("Authorization", "Bearer " + token));
		assertThat(orders.status()).as("the project's own protected route: " + orders.body()).isEqualTo(200);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	@Order(2)
	void noTokenGets401WithABearerChallenge(Transport transport) {
		Answer answer = call(transport, "/private/echo", Map.of());

		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"meshgate\"");
		assertThat(answer.json().path("error").asString()).isEqualTo("unauthenticated");
		assertThat(answer.json().path("message").asString()).contains("requires a bearer token");
		assertThat(call(transport, "/api/orders/7", Map.of()).status()).isEqualTo(401);
		assertThat(call(transport, "/token/echo", Map.of("Authorization", "Basic ZGVtbzpkZW1v")).status())
			.as("a route without auth needs a token once the edge has an issuer")
			.isEqualTo(401);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	@Order(3)
	void aForgedOrTamperedTokenGets401InvalidToken(Transport transport) throws Exception {
		String token = token("orders.read");
		String[] parts = token.split("\\.");
		String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
			.replace("demo-client", "admin-client");
		String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
			.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

		for (String bad : new String[] { tampered, parts[0] + "." + parts[1] + ".", "not.a.jwt" }) {
			Answer answer = call(transport, "/private/echo", Map.of("Authorization", "Bearer " + bad));
			assertThat(answer.status()).as(bad).isEqualTo(401);
			assertThat(answer.headers().get("WWW-Authenticate"))
				.startsWith("Bearer realm=\"meshgate\", error=\"invalid_token\", error_description=\"");
			assertThat(answer.body()).doesNotContain("admin-client");
		}
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	@Order(4)
	void aTokenWithoutTheRoutesScopeGets403InsufficientScope(Transport transport) throws Exception {
		Answer answer = call(transport, "/private/echo", Map.of("Authorization", "Bearer " + token("orders.write")));

		assertThat(answer.status()).isEqualTo(403);
		assertThat(answer.headers().get("WWW-Authenticate"))
			.isEqualTo("Bearer realm=\"meshgate\", error=\"insufficient_scope\", scope=\"orders.read\"");
		assertThat(answer.json().path("error").asString()).isEqualTo("insufficient_scope");
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	@Order(5)
	void publicAndPlainRoutesTakeAnyoneButNoPrincipalTheCallerWrote(Transport transport) {
		Map<String, String> forged = Map.of("x-meshgate-subject", "admin", "x-meshgate-scopes", "orders.read");
		for (String path : new String[] { "/public/echo", "/plain/echo" }) {
			Answer echo = call(transport, path, forged);
			assertThat(echo.status()).as(path + ": " + echo.body()).isEqualTo(200);
			JsonNode seen = echo.json().path("headers");
			assertThat(seen.has("x-meshgate-subject")).as(path).isFalse();
			assertThat(seen.has("x-meshgate-scopes")).as(path).isFalse();
		}
	}

	@Test
	@Order(6)
	void refusalsAreCountedAndTheStatusPageShowsTheKeysAndEachRoutesAuth() {
		PrometheusScrape metrics = PrometheusScrape.of(stack.managementUrl("/actuator/prometheus"));
		assertThat(metrics.sum("meshgate_requests_total",
				Map.of("route", "private-echo", "outcome", "unauthenticated"))).isGreaterThanOrEqualTo(2);
		assertThat(metrics.sum("meshgate_requests_total",
				Map.of("route", "private-echo", "outcome", "insufficient_scope"))).isGreaterThanOrEqualTo(2);
		assertThat(metrics.sum("meshgate_requests_total", Map.of("route", "private-echo", "outcome", "success")))
			.isGreaterThanOrEqualTo(2);

		JsonNode gateway = Http.json(stack.managementUrl("/actuator/mesh")).path("plane").path("gateway");
		assertThat(gateway.path("jwt").path("keyIds").size()).as(gateway.toString()).isEqualTo(1);
		assertThat(gateway.path("routes").findValuesAsString("auth")).contains("token orders.read", "token", "none");
	}

	@Test
	@Order(7)
	void withTheAuthServerDownTheKeysInHandKeepCheckingTokensAndANewKeyIsFetchedOnEachTransport() throws Exception {
		String token = token("orders.read");
		authServer.stop();

		for (Transport transport : Transport.values()) {
			assertThat(call(transport, "/private/echo", Map.of("Authorization", "Bearer " + token)).status())
				.isEqualTo(200);
			assertThat(call(transport, "/private/echo", Map.of()).status()).isEqualTo(401);
		}

		// each restart makes a new signing key: the first token signed with it names a key id the gateway has not
		// seen, so that request waits for a JWK Set fetch (a late answer), once on each transport
		for (Transport transport : Transport.values()) {
			authServer = startAuthServer();
			String rotated = token("orders.read");
			await().atMost(Duration.ofSeconds(20)) // a second new key id within 10 s of the last one waits its turn
				.pollInterval(Duration.ofMillis(500))
				.untilAsserted(() -> assertThat(
						call(transport, "/private/echo", Map.of("Authorization", "Bearer " + rotated)).status())
					.isEqualTo(200));
			authServer.stop();
		}
	}
}
