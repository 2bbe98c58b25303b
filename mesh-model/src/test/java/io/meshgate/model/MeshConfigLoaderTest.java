package io.meshgate.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.meshgate.model.files.YamlConfigFiles;

class MeshConfigLoaderTest {

	private static final String FILE = "config-repo/application.yml";

	private static final String SERVICES = """
			mesh:
			  services:
			    orders:
			      timeout: 2s
			    inventory:
			    inventory-v2: ~
			""";

	private static LoadResult load(String yaml) {
		return MeshConfigLoader.load(List.of(YamlConfigFiles.parse(yaml, FILE)));
	}

	private static List<String> errors(String yaml) {
		return load(yaml).errors().stream().map(MeshConfigLoaderTest::withoutLine).toList();
	}

	/** Most cases are about file, key and message; {@link #errorsNameTheLineOfTheKey} is about lines. */
	private static String withoutLine(ConfigError error) {
		return new ConfigError(error.file(), error.key(), error.message()).toString();
	}

	@Test
	void errorsNameTheLineOfTheKey() {
		assertThat(load("""
				mesh:
				  services:
				    orders:
				      timout: 2s
				  routes:
				    - id: a
				      ingress: { path: /a }
				      to: ordrs
				""").errors()).map(ConfigError::toString)
			.containsExactlyInAnyOrder(FILE + ":4: mesh.services.orders.timout: unknown key 'timout' (did you mean "
					+ "'timeout'?); allowed here: timeout, endpoints, mode, retries, outlier-detection, load-balancer, max-requests, idle-timeout, rate-limit",
					FILE + ":8: mesh.routes[0].to: unknown service 'ordrs'; declare it under mesh.services "
							+ "('ordrs: {}' without settings)");
	}

	@Test
	void aTypoedKeyWhoseValueIsAnEmptyMapIsAnError() {
		assertThat(load("mesh: { servcies: { x: {} } }").errors()).map(ConfigError::toString)
			.singleElement()
			.asString()
			.startsWith(FILE + ":1: mesh.servcies.x: unknown key 'servcies' (did you mean 'services'?)");
		assertThat(errors(SERVICES + """
				    payments:
				      retires: {}
				""")).singleElement().asString().startsWith(FILE + ": mesh.services.payments.retires: unknown key 'retires'");
	}

	@Test
	void anEmptyMapDeclaresAServiceWithDefaults() {
		LoadResult result = load("""
				mesh:
				  services:
				    inventory: {}
				    orders: { timeout: 2s }
				  routes:
				    - { id: stock, ingress: { path: /stock/** }, to: inventory }
				""");
		assertThat(result.errors()).isEmpty();
		assertThat(result.config().services()).containsOnlyKeys("inventory", "orders");
		assertThat(result.config().services().get("inventory").timeout()).isNull();
	}

	@Test
	void bindsAValidModel() {
		LoadResult result = load(SERVICES + """
				  routes:
				    - id: orders-api
				      ingress: { path: /api/orders/**, methods: [get, POST], strip-prefix: 1, headers: { x-env: prod } }
				      to: orders
				    - id: inventory-split
				      ingress: { path: /api/stock/**, host: "*.example.com" }
				      to:
				        - { service: inventory, weight: 80 }
				        - { service: inventory-v2, weight: 20 }
				    - id: inventory-canary
				      match: { service: inventory, path-prefix: /stock, headers: { x-canary: "true" } }
				      to: inventory-v2
				""");

		assertThat(result.errors()).isEmpty();
		MeshConfig config = result.config();
		assertThat(config.trustDomain()).isEqualTo("meshgate.local");
		assertThat(config.mode()).isEqualTo(MeshConfig.Mode.STRICT);
		assertThat(config.services()).containsOnlyKeys("orders", "inventory", "inventory-v2");
		assertThat(config.services().get("orders").timeout()).isEqualTo(Duration.ofSeconds(2));
		Route first = config.routes().get(0);
		assertThat(first.to()).containsExactly(new Destination("orders", 100));
		assertThat(first.ingress().stripPrefix()).isEqualTo(1);
		assertThat(first.ingress().headers()).containsEntry("x-env", "prod");
		assertThat(config.routes().get(1).to()).containsExactly(new Destination("inventory", 80),
				new Destination("inventory-v2", 20));
		Route canary = config.routes().get(2);
		assertThat(canary.ingress()).isNull();
		assertThat(canary.match()).isEqualTo(new Match("inventory", "/stock", java.util.Map.of("x-canary", "true"),
				java.util.Map.of()));
	}

	@Test
	void bindsEachServicesResilienceWithItsDefaults() {
		LoadResult result = load(SERVICES + """
				    payments:
				      timeout: 2s
				      retries: { attempts: 3, retry-on: [ reset, gateway-error ], per-try-timeout: 500ms, methods: [ POST ] }
				      outlier-detection: { consecutive-failures: 3, base-ejection-time: 5s, failure-percent: 40 }
				      load-balancer: least-request
				      max-requests: 100
				      rate-limit: { requests: 50, per: 10s, burst: 100, key: caller }
				""");

		assertThat(result.errors()).isEmpty();
		ServiceSpec payments = result.config().services().get("payments");
		Retries retries = payments.retries();
		assertThat(retries.attempts()).isEqualTo(3);
		assertThat(retries.retryOn()).containsExactly(Retries.RetryOn.RESET, Retries.RetryOn.GATEWAY_ERROR);
		assertThat(retries.perTryTimeout()).isEqualTo(Duration.ofMillis(500));
		assertThat(retries.backoff()).isEqualTo(Duration.ofMillis(25));
		assertThat(retries.budgetPercent()).isEqualTo(20);
		assertThat(retries.minPerSecond()).isEqualTo(10);
		assertThat(retries.replayBuffer().toKilobytes()).isEqualTo(64);
		assertThat(retries.methods()).containsExactly("POST");
		assertThat(payments.outlierDetection())
			.isEqualTo(new OutlierDetection(3, Duration.ofSeconds(5), Duration.ofSeconds(300), 50, 40, 20));
		assertThat(payments.loadBalancer()).isEqualTo(LoadBalancer.LEAST_REQUEST);
		assertThat(payments.maxRequests()).isEqualTo(100);
		assertThat(payments.rateLimit()).isEqualTo(new RateLimit(50, Duration.ofSeconds(10), 100, "caller",
				RateLimit.Scope.LOCAL));
		ServiceSpec orders = result.config().services().get("orders");
		assertThat(orders.retries()).isNull();
		assertThat(orders.outlierDetection()).isEqualTo(OutlierDetection.DEFAULT);
		assertThat(orders.loadBalancer()).isEqualTo(LoadBalancer.P2C_EWMA);
	}

	@Test
	void bindsTheEdgesTokenCheckAndEachRoutesAuth() {
		LoadResult result = load(SERVICES + """
				  jwt:
				    issuer: http://127.0.0.1:9000
				    jwks-uri: http://127.0.0.1:9000/oauth2/jwks
				    audiences: [ meshgate ]
				  routes:
				    - { id: private, ingress: { path: /a }, to: orders, auth: { scopes: [ orders.read, orders.write ] } }
				    - { id: public, ingress: { path: /b }, to: orders, auth: none }
				    - { id: default, ingress: { path: /c }, to: orders }
				""");

		assertThat(result.errors()).isEmpty();
		MeshConfig config = result.config();
		assertThat(config.jwt()).isEqualTo(new Jwt("http://127.0.0.1:9000",
				java.net.URI.create("http://127.0.0.1:9000/oauth2/jwks"), List.of("meshgate"), Duration.ofSeconds(60),
				"x-meshgate-subject", "x-meshgate-scopes"));
		assertThat(config.routes().get(0).authUnder(config.jwt()))
			.isEqualTo(new RouteAuth(true, List.of("orders.read", "orders.write")));
		assertThat(config.routes().get(1).authUnder(config.jwt())).isEqualTo(RouteAuth.NONE);
		assertThat(config.routes().get(2).authUnder(config.jwt())).isEqualTo(RouteAuth.TOKEN);
		assertThat(config.routes().get(2).authUnder(null)).isEqualTo(RouteAuth.NONE);
	}

	@Test
	void anEmptyFileIsAnEmptyModel() {
		LoadResult result = MeshConfigLoader.load(List.of());
		assertThat(result.valid()).isTrue();
		assertThat(result.config().routes()).isEmpty();
	}

	static Stream<Arguments> invalidConfigs() {
		return Stream.of(
				Arguments.of("unknown destination, with a suggestion", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders }
						    - { id: b, ingress: { path: /b }, to: orders }
						    - { id: c, ingress: { path: /c }, to: ordrs }
						""", FILE + ": mesh.routes[2].to: unknown service 'ordrs' (did you mean 'orders'?)"),
				Arguments.of("unknown service in a weighted split", """
						  routes:
						    - id: a
						      ingress: { path: /a }
						      to: [ { service: orders, weight: 50 }, { service: payments, weight: 50 } ]
						""", FILE + ": mesh.routes[0].to[1].service: unknown service 'payments'; declare it under "
						+ "mesh.services ('payments: {}' without settings)"),
				Arguments.of("bad duration", """
						    payments:
						      timeout: 2 seconds
						""", FILE + ": mesh.services.payments.timeout: '2 seconds' is not a duration (write it like "
						+ "250ms, 2s or 1m)"),
				Arguments.of("zero duration", """
						    payments:
						      timeout: 0s
						""", FILE + ": mesh.services.payments.timeout: 'PT0S' must be more than 0 and at most 1h"),
				Arguments.of("duplicate route id", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders }
						    - { id: a, ingress: { path: /b }, to: orders }
						""", FILE + ": mesh.routes[1].id: duplicate route id 'a' (first used at mesh.routes[0])"),
				Arguments.of("typo in a key", """
						  routes:
						    - { id: a, ingres: { path: /a }, to: orders }
						""", FILE + ": mesh.routes[0].ingres.path: unknown key 'ingres' (did you mean 'ingress'?); "
						+ "allowed here: id, ingress, match, to, auth, fault, rate-limit, mirror"),
				Arguments.of("east-west match of an unknown service", """
						  routes:
						    - { id: a, match: { service: inventroy }, to: orders }
						""", FILE + ": mesh.routes[0].match.service: unknown service 'inventroy' (did you mean 'inventory'?)"),
				Arguments.of("route without any match", """
						  routes:
						    - { id: a, to: orders }
						""", FILE + ": mesh.routes[0].ingress: missing: a route needs an ingress (gateway) or a match "
						+ "(east-west), or both"),
				Arguments.of("typo in a top-level key", """
						  rutes: []
						""", FILE + ": mesh.rutes: unknown key 'rutes' (did you mean 'routes'?); allowed here: "
						+ "trust-domain, mode, services, routes, policies, default-policy, jwt, telemetry, rate-limiting"),
				Arguments.of("weights that do not add up", """
						  routes:
						    - id: a
						      ingress: { path: /a }
						      to: [ { service: orders, weight: 70 }, { service: inventory, weight: 20 } ]
						""", FILE + ": mesh.routes[0].to: weights add up to 90; they must add up to 100"),
				Arguments.of("a weight that is not a percentage", """
						  routes:
						    - id: a
						      ingress: { path: /a }
						      to: [ { service: orders, weight: 150 }, { service: inventory, weight: -50 } ]
						""", FILE + ": mesh.routes[0].to[0].weight: 150 is not a percentage (0 to 100)"),
				Arguments.of("a weight that is not a number", """
						  routes:
						    - id: a
						      ingress: { path: /a }
						      to: [ { service: orders, weight: half } ]
						""", FILE + ": mesh.routes[0].to[0].weight: 'half' is not a whole number"),
				Arguments.of("unknown mode", """
						  mode: relaxed
						""", FILE + ": mesh.mode: 'relaxed' is not one of: strict, permissive"),
				Arguments.of("missing path", """
						  routes:
						    - { id: a, ingress: { strip-prefix: 1 }, to: orders }
						""", FILE + ": mesh.routes[0].ingress.path: missing: an ingress needs a path such as /api/orders/**"),
				Arguments.of("path without a slash", """
						  routes:
						    - { id: a, ingress: { path: api }, to: orders }
						""", FILE + ": mesh.routes[0].ingress.path: 'api' must start with '/'"),
				Arguments.of("wildcard in the middle of a path", """
						  routes:
						    - { id: a, ingress: { path: /api/**/x }, to: orders }
						""", FILE + ": mesh.routes[0].ingress.path: '/api/**/x': '**' may only end a path"),
				Arguments.of("misspelt method", """
						  routes:
						    - { id: a, ingress: { path: /a, methods: [ GTE ] }, to: orders }
						""", FILE + ": mesh.routes[0].ingress.methods[0]: unknown HTTP method 'GTE' (did you mean 'GET'?)"),
				Arguments.of("route without destination", """
						  routes:
						    - { id: a, ingress: { path: /a } }
						""", FILE + ": mesh.routes[0].to: missing: name a service (to: orders) or weighted services"),
				Arguments.of("route without id", """
						  routes:
						    - { ingress: { path: /a }, to: orders }
						""", FILE + ": mesh.routes[0].id: missing: every route needs an id"),
				Arguments.of("shadowed route", """
						  routes:
						    - { id: a, ingress: { path: /a, methods: [GET, POST] }, to: orders }
						    - { id: b, ingress: { path: /a, methods: [post, get] }, to: inventory }
						""", FILE + ": mesh.routes[1].ingress: same match as mesh.routes[0], so this route is never used"),
				Arguments.of("bad service name", """
						    Payments_Svc:
						      timeout: 1s
						""", FILE + ": mesh.services.Payments_Svc: 'Payments_Svc' is not a valid service name "
						+ "(lowercase letters, digits and '-', at most 63)"),
				Arguments.of("bad endpoint", """
						    payments:
						      endpoints: [ "127.0.0.1:9000" ]
						""", FILE + ": mesh.services.payments.endpoints[0]: '127.0.0.1:9000' is not a URI like "
						+ "http://127.0.0.1:8181"),
				Arguments.of("endpoint that is not HTTP", """
						    payments:
						      endpoints: [ "ftp://files:21" ]
						""", FILE + ": mesh.services.payments.endpoints[0]: 'ftp://files:21' is not an address like "
						+ "http://127.0.0.1:8181"),
				Arguments.of("policy for an unknown service", """
						  policies:
						    - service: inventry
						      allow: [ { from: [ orders ] } ]
						""", FILE + ": mesh.policies[0].service: unknown service 'inventry' (did you mean 'inventory'?)"),
				Arguments.of("value where a section belongs", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, timeout: { x: 1 } }
						""", FILE + ": mesh.routes[0].timeout.x: unknown key 'timeout'; allowed "
						+ "here: id, ingress, match, to, auth, fault, rate-limit, mirror"),
				Arguments.of("auth with scopes but no issuer to check tokens against", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, auth: { scopes: [ orders.read ] } }
						""", FILE + ": mesh.routes[0].auth: needs mesh.jwt: the edge has no issuer to check tokens against"),
				Arguments.of("auth on an east-west route", """
						  routes:
						    - { id: a, match: { service: orders }, to: orders, auth: none }
						""", FILE + ": mesh.routes[0].auth: only a route with an ingress takes auth (the edge checks "
						+ "tokens); calls inside the mesh are authorised by mesh.policies"),
				Arguments.of("auth that is neither none nor a mapping", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, auth: public }
						""", FILE + ": mesh.routes[0].auth: 'public' cannot be read as RouteAuth"),
				Arguments.of("a public route with scopes", """
						  jwt: { issuer: "http://idp", jwks-uri: "http://idp/jwks" }
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, auth: { required: false, scopes: [ x ] } }
						""", FILE + ": mesh.routes[0].auth.scopes: a public route (auth: none) cannot require scopes"),
				Arguments.of("a scope with a space", """
						  jwt: { issuer: "http://idp", jwks-uri: "http://idp/jwks" }
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, auth: { scopes: [ "orders read" ] } }
						""", FILE + ": mesh.routes[0].auth.scopes[0]: 'orders read' is not a scope (no spaces, quotes or "
						+ "backslashes)"),
				Arguments.of("jwt without issuer", """
						  jwt: { jwks-uri: "http://idp/jwks" }
						""", FILE + ": mesh.jwt.issuer: missing: the 'iss' the tokens carry, such as https://auth.example.com"),
				Arguments.of("jwt without keys", """
						  jwt: { issuer: "http://idp" }
						""", FILE + ": mesh.jwt.jwks-uri: missing: where the issuer publishes its signing keys, such as "
						+ "https://auth.example.com/oauth2/jwks"),
				Arguments.of("jwt keys not over http", """
						  jwt: { issuer: "http://idp", jwks-uri: "file:///etc/keys.json" }
						""", FILE + ": mesh.jwt.jwks-uri: 'file:///etc/keys.json' is not an http(s) URL of a JWK Set"),
				Arguments.of("jwt clock skew too large", """
						  jwt: { issuer: "http://idp", jwks-uri: "http://idp/jwks", clock-skew: 1h }
						""", FILE + ": mesh.jwt.clock-skew: 'PT1H' must be between 0 and 5m"),
				Arguments.of("the principal written into the token's own header", """
						  jwt: { issuer: "http://idp", jwks-uri: "http://idp/jwks", subject-header: Authorization }
						""", FILE + ": mesh.jwt.subject-header: 'Authorization' is a header of HTTP or of the mesh; name "
						+ "one of your own, such as x-user-id"),
				Arguments.of("typo in a jwt key", """
						  jwt: { issuer: "http://idp", jwks-uri: "http://idp/jwks", audience: [ a ] }
						""", FILE + ": mesh.jwt.audience[0]: unknown key 'audience' (did you mean 'audiences'?); allowed "
						+ "here: issuer, jwks-uri, audiences, clock-skew, subject-header, scopes-header"),
				Arguments.of("tracing without a collector", """
						  telemetry: { tracing: { sampling: 0.5 } }
						""", FILE + ": mesh.telemetry.tracing.endpoint: missing: where spans go, such as "
						+ "http://zipkin:9411/api/v2/spans (remove 'tracing' for none)"),
				Arguments.of("a collector that is not http", """
						  telemetry: { tracing: { endpoint: "udp://zipkin:9411" } }
						""", FILE + ": mesh.telemetry.tracing.endpoint: 'udp://zipkin:9411' is not an http(s) URL of a "
						+ "span collector"),
				Arguments.of("a sampling rate above 1", """
						  telemetry: { tracing: { endpoint: "http://zipkin:9411/api/v2/spans", sampling: 10 } }
						""", FILE + ": mesh.telemetry.tracing.sampling: '10.0' is not a probability between 0 and 1 "
						+ "(0.01 samples 1% of traces)"),
				Arguments.of("an access log mode that does not exist", """
						  telemetry: { access-log: everything }
						""", FILE + ": mesh.telemetry.access-log: 'everything' is not one of: none, sampled, all"),
				Arguments.of("retries beyond the limit", """
						    payments:
						      retries: { attempts: 11 }
						""", FILE + ": mesh.services.payments.retries.attempts: '11' must be from 0 to 10"),
				Arguments.of("a per-try timeout as long as the service's", """
						    payments:
						      timeout: 1s
						      retries: { per-try-timeout: 1s }
						""", FILE + ": mesh.services.payments.retries.per-try-timeout: 'PT1S' must be shorter than the "
						+ "service's timeout (PT1S), which covers every try"),
				Arguments.of("an unknown retry condition", """
						    payments:
						      retries: { retry-on: [ connect-failure, 500 ] }
						""", FILE + ": mesh.services.payments.retries.retry-on[1]: '500' is not one of: connect-failure, "
						+ "reset, timeout, unavailable, gateway-error"),
				Arguments.of("a retried method that does not exist", """
						    payments:
						      retries: { methods: [ POST, FETCH ] }
						""", FILE + ": mesh.services.payments.retries.methods[1]: 'FETCH' is not one of [DELETE, GET, "
						+ "HEAD, OPTIONS, PATCH, POST, PUT, TRACE]"),
				Arguments.of("a replay buffer that is not a size", """
						    payments:
						      retries: { replay-buffer: lots }
						""", FILE + ": mesh.services.payments.retries.replay-buffer: 'lots' is not a size (write it "
						+ "like 64KB or 1MB)"),
				Arguments.of("a budget above 100%", """
						    payments:
						      retries: { budget-percent: 150 }
						""", FILE + ": mesh.services.payments.retries.budget-percent: '150' must be from 0 to 100"),
				Arguments.of("a maximum ejection time below the base", """
						    payments:
						      outlier-detection: { base-ejection-time: 30s, max-ejection-time: 10s }
						""", FILE + ": mesh.services.payments.outlier-detection.max-ejection-time: 'PT10S' must be at "
						+ "least base-ejection-time (PT30S)"),
				Arguments.of("an unknown balancer", """
						    payments:
						      load-balancer: random
						""", FILE + ": mesh.services.payments.load-balancer: 'random' is not one of: p2c-ewma, "
						+ "round-robin, least-request"),
				Arguments.of("no requests allowed at all", """
						    payments:
						      max-requests: 0
						""", FILE + ": mesh.services.payments.max-requests: '0' must be at least 1"),
				Arguments.of("a rate limit key that does not exist", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, rate-limit: { requests: 5, key: user } }
						""", FILE + ": mesh.routes[0].rate-limit.key: 'user' is not one of none, client-ip, principal, "
						+ "caller, header:<name>"),
				Arguments.of("a global limit east-west", """
						  rate-limiting: { redis: "redis://127.0.0.1:6379" }
						  routes:
						    - { id: a, match: { service: orders }, to: orders, rate-limit: { requests: 5, scope: global } }
						""", FILE + ": mesh.routes[0].rate-limit.scope: global limits are kept by the gateways: only on "
						+ "a route with an ingress and no match (use scope: local here)"),
				Arguments.of("a global limit without Redis", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, rate-limit: { requests: 5, scope: global } }
						""", FILE + ": mesh.routes[0].rate-limit.scope: a global limit needs mesh.rate-limiting.redis, "
						+ "where the gateways share buckets"),
				Arguments.of("a Redis that is not a Redis URI", """
						  rate-limiting: { redis: "http://127.0.0.1:6379" }
						""", FILE + ": mesh.rate-limiting.redis: 'http://127.0.0.1:6379' is not a Redis URI like "
						+ "redis://127.0.0.1:6379"),
				Arguments.of("a service limit of no requests", """
						    payments:
						      rate-limit: { requests: 0 }
						""", FILE + ": mesh.services.payments.rate-limit.requests: '0' must be at least 1"),
				Arguments.of("a mirror to the route's own destination", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, mirror: { service: orders } }
						""", FILE + ": mesh.routes[0].mirror.service: 'orders' already gets this route's requests (to): "
						+ "mirror to another service"),
				Arguments.of("a mirror to an unknown service", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, mirror: { service: ordrs-v2 } }
						""", FILE + ": mesh.routes[0].mirror.service: unknown service 'ordrs-v2'; declare it under "
						+ "mesh.services ('ordrs-v2: {}' without settings)"),
				Arguments.of("a failure percentage above 100", """
						    payments:
						      outlier-detection: { failure-percent: 120 }
						""", FILE + ": mesh.services.payments.outlier-detection.failure-percent: '120' must be from 1 to 100"),
				Arguments.of("an idle timeout of zero", """
						    payments:
						      idle-timeout: 0s
						""", FILE + ": mesh.services.payments.idle-timeout: 'PT0S' must be more than 0 and at most 24h"),
				Arguments.of("a cookie value with a space", """
						  routes:
						    - { id: a, ingress: { path: /a, cookies: { release: "two words" } }, to: orders }
						""", FILE + ": mesh.routes[0].ingress.cookies.release: 'two words' is not a valid cookie value"),
				Arguments.of("a fault without a delay or an abort", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, fault: { } }
						""", FILE + ": mesh.routes[0].fault: missing: a delay, an abort, or both (remove 'fault' for none)"),
				Arguments.of("a fault abort with a success status", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, fault: { abort: { percent: 5, status: 200 } } }
						""", FILE + ": mesh.routes[0].fault.abort.status: '200' is not an error status (400 to 599)"),
				Arguments.of("a fault delay above 100%", """
						  routes:
						    - { id: a, ingress: { path: /a }, to: orders, fault: { delay: { percent: 150, duration: 1s } } }
						""", FILE + ": mesh.routes[0].fault.delay.percent: '150.0' is not a percentage (0 to 100)"),
				Arguments.of("an unknown tracing format", """
						  telemetry: { tracing: { endpoint: "http://c:4318/v1/traces", format: jaeger } }
						""", FILE + ": mesh.telemetry.tracing.format: 'jaeger' is not one of: zipkin, otlp"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidConfigs")
	void rejectsWithFileAndKey(String description, String snippet, String expected) {
		LoadResult result = load(SERVICES + snippet);

		assertThat(result.valid()).isFalse();
		assertThat(result.config()).isNull();
		assertThat(result.errors()).map(MeshConfigLoaderTest::withoutLine).contains(expected);
	}

	@Test
	void reportsEveryProblemInOnePass() {
		assertThat(errors(SERVICES + """
				    payments:
				      timeout: soon
				  routes:
				    - { id: a, ingres: { path: /a }, to: ordrs }
				""")).hasSize(4).anyMatch(e -> e.contains("'soon' is not a duration"))
			.anyMatch(e -> e.contains("unknown key 'ingres'"))
			.anyMatch(e -> e.contains("mesh.routes[0].ingress: missing"))
			.anyMatch(e -> e.contains("unknown service 'ordrs'"));
	}

	@Test
	void namesTheFileThatDefinesTheKey() {
		ConfigSource profile = YamlConfigFiles.parse("""
				mesh:
				  services:
				    orders:
				      timeout: forever
				""", "config-repo/application-prod.yml");
		ConfigSource base = YamlConfigFiles.parse(SERVICES + """
				  routes:
				    - { id: a, ingress: { path: /a }, to: inventroy }
				""", FILE);

		List<String> errors = MeshConfigLoader.load(List.of(profile, base))
			.errors()
			.stream()
			.map(MeshConfigLoaderTest::withoutLine)
			.toList();

		assertThat(errors).containsExactlyInAnyOrder(
				"config-repo/application-prod.yml: mesh.services.orders.timeout: 'forever' is not a duration "
						+ "(write it like 250ms, 2s or 1m)",
				FILE + ": mesh.routes[0].to: unknown service 'inventroy' (did you mean 'inventory'?)");
	}

	@Test
	void aProfileFileOverridesWholeListsAndSingleValues() {
		ConfigSource profile = YamlConfigFiles.parse("""
				mesh:
				  services:
				    orders:
				      endpoints: [ http://orders:8181 ]
				""", "config-repo/application-compose.yml");
		ConfigSource base = YamlConfigFiles.parse("""
				mesh:
				  services:
				    orders:
				      timeout: 2s
				      endpoints: [ http://127.0.0.1:8181, http://127.0.0.1:8183 ]
				""", FILE);

		LoadResult result = MeshConfigLoader.load(List.of(profile, base));

		assertThat(result.errors()).isEmpty();
		ServiceSpec orders = result.config().services().get("orders");
		assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(orders.endpoints()).map(Object::toString).containsExactly("http://orders:8181");
	}
}
