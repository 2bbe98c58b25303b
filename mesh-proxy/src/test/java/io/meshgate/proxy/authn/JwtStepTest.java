package io.meshgate.proxy.authn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.meshgate.model.LoadResult;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Protocol;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Verdict;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import reactor.netty.http.client.HttpClient;

/**
 * The edge's bearer-token step against a real JWK Set served over HTTP, with tokens signed by real keys: every token
 * an attacker or a broken client could send is refused with RFC 6750's answer, a good one passes with its principal.
 */
class JwtStepTest {

	private static final String ISSUER = "http://idp.test";

	private HttpServer idp;

	private final AtomicInteger fetches = new AtomicInteger();

	private volatile int idpStatus = 200;

	private volatile JWKSet published;

	private RSAKey rsa;

	private ECKey ec;

	private JwtSteps steps;

	@BeforeEach
	void startIdentityProvider() throws Exception {
		rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
		ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
		published = new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK()));
		idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		idp.createContext("/jwks", exchange -> {
			fetches.incrementAndGet();
			byte[] body = published.toString(true).getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(idpStatus, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		idp.start();
		steps = new JwtSteps(HttpClient.create());
	}

	@AfterEach
	void stop() {
		idp.stop(0);
	}

	private MeshConfig config(String jwksUri) {
		LoadResult loaded = MeshConfigLoader.load(List.of(YamlConfigFiles.parse("""
				mesh:
				  services: { orders: {} }
				  jwt:
				    issuer: %s
				    jwks-uri: %s
				    audiences: [ meshgate ]
				    clock-skew: 60s
				  routes:
				    - { id: private, ingress: { path: /private/** }, to: orders, auth: { scopes: [ orders.read ] } }
				    - { id: any-token, ingress: { path: /token/** }, to: orders }
				    - { id: public, ingress: { path: /public/** }, to: orders, auth: none }
				""".formatted(ISSUER, jwksUri), "application.yml")));
		assertThat(loaded.errors()).isEmpty();
		return loaded.config();
	}

	private JwtStep step() {
		return steps.compile(config("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks"));
	}

	/** A step whose keys were fetched already, as after the edge applied the config. */
	private JwtStep warmStep() {
		JwtStep step = step();
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !steps.keys().keyIds().isEmpty());
		return step;
	}

	private static JWTClaimsSet.Builder claims() {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(ISSUER)
			.subject("alice")
			.audience(List.of("meshgate", "demo-client"))
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(300)))
			.claim("scope", "orders.read profile");
	}

	private static String sign(JWSSigner signer, JWSAlgorithm algorithm, String keyId, JWTClaimsSet claims)
			throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).type(JOSEObjectType.JWT).build(),
				claims);
		jwt.sign(signer);
		return jwt.serialize();
	}

	private String rs256(JWTClaimsSet claims) throws Exception {
		return sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", claims);
	}

	private static Exchange exchange(String route, String path, Map<String, String> headers) {
		HttpHeaders all = new DefaultHttpHeaders();
		headers.forEach(all::add);
		Pipeline pipeline = new Pipeline(Direction.INGRESS, List.of(), ExchangeObserver.of(List.of()), null);
		Exchange exchange = pipeline.exchange(Protocol.HTTP_1_1, HttpMethod.GET, path, all,
				new InetSocketAddress("127.0.0.1", 40000), null);
		exchange.route(route, List.of());
		return exchange;
	}

	/** The step's final verdict, waiting for a later one (a key fetch) with a deadline. */
	private static Verdict run(JwtStep step, Exchange exchange) throws Exception {
		Verdict verdict = step.apply(exchange);
		if (verdict instanceof Verdict.Later later) {
			return later.stage().toCompletableFuture().get(10, TimeUnit.SECONDS);
		}
		return verdict;
	}

	private static Verdict bearer(JwtStep step, String route, String token) throws Exception {
		return run(step, exchange(route, "/" + route, Map.of("Authorization", "Bearer " + token)));
	}

	private static void assertUnauthenticated(Verdict verdict, String messagePart) {
		assertThat(verdict).isInstanceOf(ProxyError.class);
		ProxyError error = (ProxyError) verdict;
		assertThat(error.status().code()).isEqualTo(401);
		assertThat(error.outcome()).isEqualTo(Outcome.UNAUTHENTICATED);
		assertThat(error.message()).contains(messagePart);
		assertThat(error.challenge()).startsWith("Bearer realm=\"meshgate\", error=\"invalid_token\"");
	}

	@Test
	void aValidTokenPassesAndTheServiceGetsItsPrincipalNotTheCallersCopy() throws Exception {
		JwtStep step = warmStep();
		Exchange exchange = exchange("private", "/private/1", Map.of("Authorization", "Bearer " + rs256(claims().build()),
				"x-meshgate-subject", "admin", "X-Meshgate-Scopes", "everything"));

		Verdict verdict = step.apply(exchange);

		assertThat(verdict).as("keys in hand: decided at once, no later answer").isEqualTo(Verdict.NEXT);
		assertThat(exchange.head().headers().getAll("x-meshgate-subject")).containsExactly("alice");
		assertThat(exchange.head().headers().getAll("x-meshgate-scopes")).containsExactly("orders.read profile");
	}

	@Test
	void aPublicRouteTakesAnyoneButNoPrincipalACallerWroteItself() throws Exception {
		JwtStep step = step();
		Exchange exchange = exchange("public", "/public/1",
				Map.of("x-meshgate-subject", "admin", "x-meshgate-scopes", "orders.read"));

		assertThat(run(step, exchange)).isEqualTo(Verdict.NEXT);
		assertThat(exchange.head().headers().contains("x-meshgate-subject")).isFalse();
		assertThat(exchange.head().headers().contains("x-meshgate-scopes")).isFalse();
	}

	@Test
	void aRouteWithoutAuthNeedsAValidTokenOnceTheEdgeHasAnIssuer() throws Exception {
		JwtStep step = warmStep();
		assertThat(step.requiresToken("any-token")).isTrue();
		assertThat(step.requiresToken("public")).isFalse();
		assertThat(bearer(step, "any-token", rs256(claims().claim("scope", "").build()))).isEqualTo(Verdict.NEXT);
	}

	@Test
	void noTokenGetsAChallengeWithoutAnErrorCode() throws Exception {
		JwtStep step = step();
		for (Map<String, String> headers : List.of(Map.<String, String>of(),
				Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes())),
				Map.of("Authorization", "Bearer"))) {
			Verdict verdict = run(step, exchange("private", "/private/1", headers));
			assertThat(verdict).as(headers.toString()).isInstanceOf(ProxyError.class);
			ProxyError error = (ProxyError) verdict;
			assertThat(error.status().code()).isEqualTo(401);
			assertThat(error.challenge()).isEqualTo("Bearer realm=\"meshgate\"");
			assertThat(error.json("r1")).asString(StandardCharsets.UTF_8)
				.contains("\"error\":\"unauthenticated\"", "requires a bearer token");
		}
	}

	@Test
	void expiredNotYetValidAndEternalTokensAreRefused() throws Exception {
		JwtStep step = warmStep();
		Instant now = Instant.now();
		assertUnauthenticated(bearer(step, "private", rs256(claims().issueTime(Date.from(now.minusSeconds(900)))
			.expirationTime(Date.from(now.minusSeconds(120)))
			.build())), "expired");
		assertUnauthenticated(bearer(step, "private",
				rs256(claims().notBeforeTime(Date.from(now.plusSeconds(120))).build())), "used before");
		assertUnauthenticated(bearer(step, "private", rs256(claims().expirationTime(null).build())), "not valid");
		assertThat(bearer(step, "private", rs256(claims().issueTime(Date.from(now.minusSeconds(330)))
			.notBeforeTime(Date.from(now.minusSeconds(330)))
			.expirationTime(Date.from(now.minusSeconds(30)))
			.build())))
			.as("expired 30 s ago, within the 60 s clock skew")
			.isEqualTo(Verdict.NEXT);
	}

	@Test
	void theWrongIssuerOrAudienceIsRefused() throws Exception {
		JwtStep step = warmStep();
		assertUnauthenticated(bearer(step, "private", rs256(claims().issuer("http://evil.test").build())), "iss");
		assertUnauthenticated(bearer(step, "private", rs256(claims().audience("someone-else").build())), "aud");
		assertUnauthenticated(bearer(step, "private", rs256(claims().audience((String) null).build())), "aud");
	}

	@Test
	void unsignedForgedAndAlgorithmConfusedTokensAreRefused() throws Exception {
		JwtStep step = warmStep();
		String good = rs256(claims().build());
		String[] parts = good.split("\\.");
		String none = Base64.getUrlEncoder().withoutPadding()
			.encodeToString("{\"alg\":\"none\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1]
				+ ".";
		assertUnauthenticated(bearer(step, "private", none), "Unsupported algorithm of none");

		RSAKey foreign = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
		assertUnauthenticated(bearer(step, "private",
				sign(new RSASSASigner(foreign), JWSAlgorithm.RS256, "rsa-1", claims().build())), "not valid");

		// HS256 with the issuer's public key as the secret: the classic confusion, refused by algorithm
		byte[] publicKey = rsa.toPublicJWK().toRSAPublicKey().getEncoded();
		assertUnauthenticated(bearer(step, "private",
				sign(new MACSigner(java.util.Arrays.copyOf(publicKey, 64)), JWSAlgorithm.HS256, "rsa-1",
						claims().build())),
				"not valid");

		String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
			.encodeToString(claims().subject("admin").build().toString().getBytes(StandardCharsets.UTF_8)) + "."
				+ parts[2];
		assertUnauthenticated(bearer(step, "private", tampered), "Invalid signature");
		assertUnauthenticated(bearer(step, "private", good + "x"), "Invalid signature");
		assertUnauthenticated(bearer(step, "private", "not-a-jwt"), "not valid");
		assertUnauthenticated(bearer(step, "private", "a b"), "malformed");
	}

	@Test
	void twoAuthorizationHeadersAreRefused() throws Exception {
		JwtStep step = warmStep();
		HttpHeaders headers = new DefaultHttpHeaders();
		Exchange exchange = exchange("private", "/private/1", Map.of());
		exchange.head().headers().add("Authorization", "Bearer " + rs256(claims().build()));
		exchange.head().headers().add("Authorization", "Bearer " + rs256(claims().subject("bob").build()));
		assertUnauthenticated(run(step, exchange), "one Authorization header");
		assertThat(headers.isEmpty()).isTrue();
	}

	@Test
	void aTokenWithoutTheRoutesScopeGetsInsufficientScope() throws Exception {
		JwtStep step = warmStep();
		Verdict verdict = bearer(step, "private", rs256(claims().claim("scope", "profile orders.write").build()));

		assertThat(verdict).isInstanceOf(ProxyError.class);
		ProxyError error = (ProxyError) verdict;
		assertThat(error.status().code()).isEqualTo(403);
		assertThat(error.outcome()).isEqualTo(Outcome.INSUFFICIENT_SCOPE);
		assertThat(error.challenge())
			.isEqualTo("Bearer realm=\"meshgate\", error=\"insufficient_scope\", scope=\"orders.read\"");
		assertThat(bearer(step, "private", rs256(claims().claim("scope", null).claim("scp", List.of("orders.read"))
			.build()))).as("scopes as a list in scp").isEqualTo(Verdict.NEXT);
	}

	@Test
	void ecKeysWorkToo() throws Exception {
		JwtStep step = warmStep();
		assertThat(bearer(step, "private", sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims().build())))
			.isEqualTo(Verdict.NEXT);
	}

	@Test
	void theFirstRequestWaitsForTheKeysWithoutBlockingAndLaterOnesDoNot() throws Exception {
		idp.stop(0);
		idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		idp.createContext("/jwks", exchange -> {
			try {
				release.await(10, TimeUnit.SECONDS); // the IdP answers only once the request is waiting for it
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			byte[] body = published.toString(true).getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		idp.start();
		JwtStep step = step();
		Exchange first = exchange("private", "/private/1", Map.of("Authorization", "Bearer " + rs256(claims().build())));

		Verdict verdict = step.apply(first);

		assertThat(verdict).as("answered later, the event loop free meanwhile").isInstanceOf(Verdict.Later.class);
		release.countDown();
		assertThat(((Verdict.Later) verdict).stage().toCompletableFuture().get(10, TimeUnit.SECONDS))
			.isEqualTo(Verdict.NEXT);
		assertThat(first.head().headers().get("x-meshgate-subject")).isEqualTo("alice");
		assertThat(step.apply(exchange("private", "/private/2",
				Map.of("Authorization", "Bearer " + rs256(claims().build()))))).isEqualTo(Verdict.NEXT);
	}

	@Test
	void aRotatedKeyIsFetchedOnceAndMadeUpKeyIdsCannotHammerTheIssuer() throws Exception {
		JwtStep step = warmStep();
		int before = fetches.get();
		RSAKey rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
		published = new JWKSet(List.<JWK>of(rsa.toPublicJWK(), rotated.toPublicJWK()));

		assertThat(bearer(step, "private", sign(new RSASSASigner(rotated), JWSAlgorithm.RS256, "rsa-2",
				claims().build()))).as("the issuer's new key").isEqualTo(Verdict.NEXT);
		assertThat(fetches.get()).isEqualTo(before + 1);

		RSAKey attacker = new RSAKeyGenerator(2048).generate();
		for (int i = 0; i < 50; i++) {
			assertUnauthenticated(bearer(step, "private", sign(new RSASSASigner(attacker), JWSAlgorithm.RS256,
					"made-up-" + i, claims().build())), "not valid");
		}
		assertThat(fetches.get()).as("at most one fetch per cooldown, however many unknown key ids")
			.isLessThanOrEqualTo(before + 2);
	}

	@Test
	void keysThatCannotBeFetchedAnswer503AndTheStepRecoversWhenTheIssuerDoes() throws Exception {
		idpStatus = 500;
		steps = new JwtSteps(HttpClient.create(), Duration.ofSeconds(10), Duration.ofMillis(300));
		JwtStep step = step();
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fetches.get() >= 1);
		Verdict verdict = bearer(step, "private", rs256(claims().build()));

		assertThat(verdict).isInstanceOf(ProxyError.class);
		ProxyError error = (ProxyError) verdict;
		assertThat(error.status().code()).isEqualTo(503);
		assertThat(error.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
		assertThat(error.message()).doesNotContain("127.0.0.1").contains("signing keys are unavailable");
		assertThat(error.detail()).contains("answered 500");

		int afterFailure = fetches.get();
		for (int i = 0; i < 20; i++) {
			bearer(step, "private", rs256(claims().build()));
		}
		assertThat(fetches.get() - afterFailure).as("fetches while the issuer is down, for 20 requests")
			.isLessThanOrEqualTo(1);

		idpStatus = 200;
		String token = rs256(claims().build());
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> bearer(step, "private", token) == Verdict.NEXT);
	}

	@Test
	void aJwkSetTooLargeIsRefused() throws Exception {
		idp.createContext("/big", exchange -> {
			exchange.sendResponseHeaders(200, 0);
			try (OutputStream out = exchange.getResponseBody()) {
				byte[] chunk = new byte[64 * 1024];
				java.util.Arrays.fill(chunk, (byte) ' ');
				for (int i = 0; i < 32; i++) {
					out.write(chunk);
				}
			}
			catch (IOException ignored) {
				// the edge hung up once it had read enough: expected
			}
		});
		JwtStep step = steps.compile(config("http://127.0.0.1:" + idp.getAddress().getPort() + "/big"));
		Verdict verdict = bearer(step, "private", rs256(claims().build()));
		assertThat(verdict).isInstanceOf(ProxyError.class);
		assertThat(((ProxyError) verdict).detail()).contains("more than " + SigningKeys.MAX_BYTES);
	}

	@Test
	void theKeysOutliveAConfigChangeOfTheSameIssuer() throws Exception {
		warmStep();
		SigningKeys keys = steps.keys();
		step();
		assertThat(steps.keys()).isSameAs(keys);
		steps.compile(config("http://127.0.0.1:" + idp.getAddress().getPort() + "/other"));
		assertThat(steps.keys()).isNotSameAs(keys);
		assertThat(steps.keys().uri()).isEqualTo(URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/other"));
	}

	@Test
	void aVerifiedTokenIsRememberedUntilItExpiresAndAForgedOneNever() throws Exception {
		warmStep();
		TokenVerifier verifier = new TokenVerifier(new io.meshgate.model.Jwt(ISSUER,
				URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks"), List.of("meshgate"),
				Duration.ZERO, "x-meshgate-subject", "x-meshgate-scopes"), steps.keys());
		Instant now = Instant.now();
		String shortLived = rs256(claims().issueTime(Date.from(now.minusSeconds(5)))
			.notBeforeTime(Date.from(now.minusSeconds(5)))
			.expirationTime(Date.from(now.plusMillis(1500)))
			.build());

		org.springframework.security.oauth2.jwt.Jwt first = verifier.verify(shortLived).get(5, TimeUnit.SECONDS);
		var again = verifier.verify(shortLived);
		assertThat(again).as("from the cache: complete at once").isDone();
		assertThat(again.get()).isSameAs(first);
		assertThat(verifier.cached()).isEqualTo(1);

		RSAKey foreign = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
		String forged = sign(new RSASSASigner(foreign), JWSAlgorithm.RS256, "rsa-1", claims().build());
		assertThat(verifier.verify(forged)).isCompletedExceptionally();
		assertThat(verifier.cached()).isEqualTo(1);

		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> verifier.verify(shortLived).isCompletedExceptionally());
		assertThatThrownBy(() -> verifier.verify(shortLived).join()).hasMessageContaining("expired");
	}
}
