package io.meshgate.model.validation;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.springframework.util.unit.DataSize;

import io.meshgate.model.Destination;
import io.meshgate.model.Fault;
import io.meshgate.model.Mirror;
import io.meshgate.model.RateLimit;
import io.meshgate.model.RateLimiting;
import io.meshgate.model.OutlierDetection;
import io.meshgate.model.Retries;
import io.meshgate.model.Ingress;
import io.meshgate.model.Jwt;
import io.meshgate.model.Telemetry;
import io.meshgate.model.Match;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.Policy;
import io.meshgate.model.Route;
import io.meshgate.model.RouteAuth;
import io.meshgate.model.ServiceSpec;

/** The rules a bound model must satisfy before a proxy may apply it. Each violation names the key to fix. */
public final class MeshRules {

	/** A DNS label: service names become host names ({@code Host: orders}) and SPIFFE ids. */
	private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

	private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

	private static final Pattern ROUTE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final Pattern COOKIE_VALUE = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]*");

	private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

	static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

	/** The edge's own identity may appear in policies without being a service. */
	static final String GATEWAY_IDENTITY = "gateway";

	private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

	private static final int MAX_RETRIES = 10;

	private static final Set<String> RATE_LIMIT_KEYS = Set.of("none", "client-ip", "principal", "caller");

	private static final Duration MAX_FAULT_DELAY = Duration.ofSeconds(60);

	private static final DataSize MAX_REPLAY_BUFFER = DataSize.ofMegabytes(16);

	private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

	/** RFC 6749 3.3: a scope token is printable ASCII without space, {@code "} and backslash. */
	private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

	/** Headers the principal cannot be written to: HTTP's own, the token's, and the mesh's. */
	private static final Set<String> RESERVED_HEADERS = Set.of("authorization", "host", "content-length",
			"content-type", "transfer-encoding", "connection", "te", "upgrade", "cookie", "x-meshgate-service",
			"x-request-id", "x-forwarded-for", "forwarded");

	private final MeshConfig config;

	private final List<Violation> violations = new ArrayList<>();

	private MeshRules(MeshConfig config) {
		this.config = config;
	}

	public static List<Violation> check(MeshConfig config) {
		MeshRules rules = new MeshRules(config);
		rules.checkTrustDomain();
		config.services().forEach(rules::checkService);
		rules.checkRoutes();
		rules.checkPolicies();
		rules.checkJwt();
		rules.checkTelemetry();
		rules.checkRateLimiting();
		return rules.violations;
	}

	private void checkTrustDomain() {
		if (!TRUST_DOMAIN.matcher(config.trustDomain()).matches()) {
			fail("mesh.trust-domain", "'" + config.trustDomain() + "' is not a DNS name like meshgate.local");
		}
	}

	private void checkService(String name, ServiceSpec service) {
		String key = "mesh.services." + name;
		if (!SERVICE_NAME.matcher(name).matches()) {
			fail(key, "'" + name + "' is not a valid service name (lowercase letters, digits and '-', at most 63)");
		}
		if (service == null) {
			return;
		}
		Duration timeout = service.timeout();
		if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
			fail(key + ".timeout", "'" + timeout + "' must be more than 0 and at most 1h");
		}
		checkRetries(key + ".retries", service.retries(), timeout);
		Duration idle = service.idleTimeout();
		if (idle != null && (idle.isNegative() || idle.isZero() || idle.compareTo(Duration.ofHours(24)) > 0)) {
			fail(key + ".idle-timeout", "'" + idle + "' must be more than 0 and at most 24h");
		}
		checkRateLimit(key + ".rate-limit", service.rateLimit(), false);
		checkOutlierDetection(key + ".outlier-detection", service.outlierDetection());
		if (service.maxRequests() != null && service.maxRequests() < 1) {
			fail(key + ".max-requests", "'" + service.maxRequests() + "' must be at least 1");
		}
		for (int i = 0; i < service.endpoints().size(); i++) {
			URI endpoint = service.endpoints().get(i);
			String scheme = endpoint.getScheme();
			if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
				fail(key + ".endpoints[" + i + "]", "'" + endpoint + "' is not an address like http://127.0.0.1:8181");
			}
		}
	}

	private void checkRetries(String key, Retries retries, Duration timeout) {
		if (retries == null) {
			return;
		}
		if (retries.attempts() < 0 || retries.attempts() > MAX_RETRIES) {
			fail(key + ".attempts", "'" + retries.attempts() + "' must be from 0 to " + MAX_RETRIES);
		}
		Duration perTry = retries.perTryTimeout();
		if (perTry != null && (perTry.isNegative() || perTry.isZero())) {
			fail(key + ".per-try-timeout", "'" + perTry + "' must be more than 0");
		}
		else if (perTry != null && timeout != null && perTry.compareTo(timeout) >= 0) {
			fail(key + ".per-try-timeout", "'" + perTry + "' must be shorter than the service's timeout (" + timeout
					+ "), which covers every try");
		}
		if (retries.backoff().isNegative() || retries.backoff().isZero()) {
			fail(key + ".backoff", "'" + retries.backoff() + "' must be more than 0");
		}
		else if (retries.maxBackoff().compareTo(retries.backoff()) < 0) {
			fail(key + ".max-backoff", "'" + retries.maxBackoff() + "' must be at least backoff ("
					+ retries.backoff() + ")");
		}
		if (retries.budgetPercent() < 0 || retries.budgetPercent() > 100) {
			fail(key + ".budget-percent", "'" + retries.budgetPercent() + "' must be from 0 to 100");
		}
		if (retries.minPerSecond() < 0) {
			fail(key + ".min-per-second", "'" + retries.minPerSecond() + "' must be 0 or more");
		}
		if (retries.replayBuffer().isNegative() || retries.replayBuffer().compareTo(MAX_REPLAY_BUFFER) > 0) {
			fail(key + ".replay-buffer", "'" + retries.replayBuffer() + "' must be from 0 to 16MB");
		}
		for (int i = 0; i < retries.methods().size(); i++) {
			String method = retries.methods().get(i);
			if (!METHODS.contains(method)) {
				fail(key + ".methods[" + i + "]", "'" + method + "' is not one of " + new TreeSet<>(METHODS));
			}
		}
	}

	/** @param edgeOnly whether the limit is kept by the gateway alone (a route with an ingress and no match) */
	private void checkRateLimit(String key, RateLimit limit, boolean edgeOnly) {
		if (limit == null) {
			return;
		}
		if (limit.requests() < 1) {
			fail(key + ".requests", "'" + limit.requests() + "' must be at least 1");
		}
		if (limit.per().isNegative() || limit.per().isZero() || limit.per().compareTo(MAX_TIMEOUT) > 0) {
			fail(key + ".per", "'" + limit.per() + "' must be more than 0 and at most 1h");
		}
		if (limit.burst() != null && limit.burst() < 1) {
			fail(key + ".burst", "'" + limit.burst() + "' must be at least 1");
		}
		String rateKey = limit.key();
		if (!RATE_LIMIT_KEYS.contains(rateKey) && !(rateKey.startsWith("header:")
				&& HEADER_NAME.matcher(rateKey.substring(7)).matches())) {
			fail(key + ".key", "'" + rateKey + "' is not one of none, client-ip, principal, caller, header:<name>");
		}
		if (limit.scope() == RateLimit.Scope.GLOBAL) {
			if (!edgeOnly) {
				fail(key + ".scope", "global limits are kept by the gateways: only on a route with an ingress and no "
						+ "match (use scope: local here)");
			}
			else if (config.rateLimiting() == null || config.rateLimiting().redis() == null) {
				fail(key + ".scope", "a global limit needs mesh.rate-limiting.redis, where the gateways share buckets");
			}
		}
	}

	private void checkRateLimiting() {
		RateLimiting limiting = config.rateLimiting();
		if (limiting == null) {
			return;
		}
		URI redis = limiting.redis();
		if (redis == null) {
			fail("mesh.rate-limiting.redis", "missing: the Redis server, such as redis://127.0.0.1:6379");
		}
		else if (!("redis".equals(redis.getScheme()) || "rediss".equals(redis.getScheme())) || redis.getHost() == null) {
			fail("mesh.rate-limiting.redis", "'" + redis + "' is not a Redis URI like redis://127.0.0.1:6379");
		}
		Duration timeout = limiting.timeout();
		if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
			fail("mesh.rate-limiting.timeout", "'" + timeout + "' must be more than 0 and at most 10s");
		}
	}

	private void checkMirror(String key, Route route) {
		Mirror mirror = route.mirror();
		if (mirror == null) {
			return;
		}
		if (mirror.service() == null || mirror.service().isBlank()) {
			fail(key + ".service", "missing: which service gets the copies?");
		}
		else if (!config.services().containsKey(mirror.service())) {
			fail(key + ".service", unknownService(mirror.service()));
		}
		else if (route.to().stream().anyMatch(to -> mirror.service().equals(to.service()))) {
			fail(key + ".service", "'" + mirror.service() + "' already gets this route's requests (to): mirror to "
					+ "another service");
		}
		checkPercent(key + ".percent", mirror.percent());
	}

	private void checkFault(String key, Fault fault) {
		if (fault == null) {
			return;
		}
		if (fault.delay() == null && fault.abort() == null) {
			fail(key, "missing: a delay, an abort, or both (remove 'fault' for none)");
		}
		if (fault.delay() != null) {
			checkPercent(key + ".delay.percent", fault.delay().percent());
			Duration duration = fault.delay().duration();
			if (duration == null) {
				fail(key + ".delay.duration", "missing: how long the delayed requests wait, such as 500ms");
			}
			else if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_FAULT_DELAY) > 0) {
				fail(key + ".delay.duration", "'" + duration + "' must be more than 0 and at most 60s");
			}
		}
		if (fault.abort() != null) {
			checkPercent(key + ".abort.percent", fault.abort().percent());
			int status = fault.abort().status();
			if (status < 400 || status > 599) {
				fail(key + ".abort.status", "'" + status + "' is not an error status (400 to 599)");
			}
		}
	}

	private void checkPercent(String key, double percent) {
		if (!(percent >= 0 && percent <= 100)) {
			fail(key, "'" + percent + "' is not a percentage (0 to 100)");
		}
	}

	private void checkOutlierDetection(String key, OutlierDetection detection) {
		if (detection.consecutiveFailures() < 0 || detection.consecutiveFailures() > 1000) {
			fail(key + ".consecutive-failures", "'" + detection.consecutiveFailures() + "' must be from 0 to 1000");
		}
		if (detection.baseEjectionTime().isNegative() || detection.baseEjectionTime().isZero()) {
			fail(key + ".base-ejection-time", "'" + detection.baseEjectionTime() + "' must be more than 0");
		}
		else if (detection.maxEjectionTime().compareTo(detection.baseEjectionTime()) < 0) {
			fail(key + ".max-ejection-time", "'" + detection.maxEjectionTime() + "' must be at least base-ejection-time ("
					+ detection.baseEjectionTime() + ")");
		}
		if (detection.failurePercent() != null
				&& (detection.failurePercent() < 1 || detection.failurePercent() > 100)) {
			fail(key + ".failure-percent", "'" + detection.failurePercent() + "' must be from 1 to 100");
		}
		if (detection.minimumRequests() < 1) {
			fail(key + ".minimum-requests", "'" + detection.minimumRequests() + "' must be at least 1");
		}
		if (detection.maxEjectionPercent() < 0 || detection.maxEjectionPercent() > 100) {
			fail(key + ".max-ejection-percent", "'" + detection.maxEjectionPercent() + "' must be from 0 to 100");
		}
	}

	private void checkRoutes() {
		Map<String, Integer> ids = new HashMap<>();
		Map<Ingress, Integer> matches = new HashMap<>();
		Map<Match, Integer> eastWest = new HashMap<>();
		for (int i = 0; i < config.routes().size(); i++) {
			Route route = config.routes().get(i);
			String key = "mesh.routes[" + i + "]";
			if (route.id() == null || route.id().isBlank()) {
				fail(key + ".id", "missing: every route needs an id");
			}
			else if (!ROUTE_ID.matcher(route.id()).matches()) {
				fail(key + ".id", "'" + route.id() + "' is not a valid id (letters, digits, '.', '_', '-')");
			}
			else {
				Integer first = ids.putIfAbsent(route.id(), i);
				if (first != null) {
					fail(key + ".id", "duplicate route id '" + route.id() + "' (first used at mesh.routes[" + first + "])");
				}
			}
			if (route.ingress() == null && route.match() == null) {
				fail(key + ".ingress", "missing: a route needs an ingress (gateway) or a match (east-west), or both");
			}
			if (route.match() != null) {
				checkMatch(key + ".match", route.match());
				Integer shadowing = eastWest.putIfAbsent(route.match(), i);
				if (shadowing != null) {
					fail(key + ".match", "same match as mesh.routes[" + shadowing + "], so this route is never used");
				}
			}
			checkFault(key + ".fault", route.fault());
			checkMirror(key + ".mirror", route);
			checkRateLimit(key + ".rate-limit", route.rateLimit(), route.ingress() != null && route.match() == null);
			if (route.ingress() != null) {
				checkIngress(key + ".ingress", route.ingress());
				Integer shadowing = matches.putIfAbsent(normalized(route.ingress()), i);
				if (shadowing != null) {
					fail(key + ".ingress", "same match as mesh.routes[" + shadowing + "], so this route is never used");
				}
			}
			checkDestinations(key + ".to", route.to());
			if (route.auth() != null) {
				checkAuth(key + ".auth", route);
			}
		}
	}

	private void checkAuth(String key, Route route) {
		RouteAuth auth = route.auth();
		if (route.ingress() == null) {
			fail(key, "only a route with an ingress takes auth (the edge checks tokens); calls inside the mesh are"
					+ " authorised by mesh.policies");
			return;
		}
		if (!auth.required() && !auth.scopes().isEmpty()) {
			fail(key + ".scopes", "a public route (auth: none) cannot require scopes");
		}
		if (auth.required() && config.jwt() == null) {
			fail(key, "needs mesh.jwt: the edge has no issuer to check tokens against");
		}
		for (int i = 0; i < auth.scopes().size(); i++) {
			String scope = auth.scopes().get(i);
			if (scope == null || !SCOPE.matcher(scope).matches()) {
				fail(key + ".scopes[" + i + "]", "'" + scope + "' is not a scope (no spaces, quotes or backslashes)");
			}
		}
	}

	private void checkTelemetry() {
		Telemetry.Tracing tracing = config.telemetry().tracing();
		if (tracing == null) {
			return;
		}
		URI endpoint = tracing.endpoint();
		if (endpoint == null) {
			fail("mesh.telemetry.tracing.endpoint",
					"missing: where spans go, such as http://zipkin:9411/api/v2/spans (remove 'tracing' for none)");
		}
		else if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
				|| endpoint.getHost() == null) {
			fail("mesh.telemetry.tracing.endpoint", "'" + endpoint + "' is not an http(s) URL of a span collector");
		}
		if (!(tracing.sampling() >= 0 && tracing.sampling() <= 1)) {
			fail("mesh.telemetry.tracing.sampling",
					"'" + tracing.sampling() + "' is not a probability between 0 and 1 (0.01 samples 1% of traces)");
		}
	}

	private void checkJwt() {
		Jwt jwt = config.jwt();
		if (jwt == null) {
			return;
		}
		if (jwt.issuer() == null || jwt.issuer().isBlank()) {
			fail("mesh.jwt.issuer", "missing: the 'iss' the tokens carry, such as https://auth.example.com");
		}
		URI keys = jwt.jwksUri();
		if (keys == null) {
			fail("mesh.jwt.jwks-uri",
					"missing: where the issuer publishes its signing keys, such as https://auth.example.com/oauth2/jwks");
		}
		else if (keys.getScheme() == null || !(keys.getScheme().equals("http") || keys.getScheme().equals("https"))
				|| keys.getHost() == null) {
			fail("mesh.jwt.jwks-uri", "'" + keys + "' is not an http(s) URL of a JWK Set");
		}
		for (int i = 0; i < jwt.audiences().size(); i++) {
			if (jwt.audiences().get(i) == null || jwt.audiences().get(i).isBlank()) {
				fail("mesh.jwt.audiences[" + i + "]", "empty: name an audience the tokens are issued for");
			}
		}
		if (jwt.clockSkew().isNegative() || jwt.clockSkew().compareTo(MAX_CLOCK_SKEW) > 0) {
			fail("mesh.jwt.clock-skew", "'" + jwt.clockSkew() + "' must be between 0 and 5m");
		}
		checkPrincipalHeader("mesh.jwt.subject-header", jwt.subjectHeader());
		checkPrincipalHeader("mesh.jwt.scopes-header", jwt.scopesHeader());
		if (jwt.subjectHeader().equalsIgnoreCase(jwt.scopesHeader())) {
			fail("mesh.jwt.scopes-header", "the same header as subject-header: name two headers");
		}
	}

	private void checkPrincipalHeader(String key, String header) {
		if (!HEADER_NAME.matcher(header).matches()) {
			fail(key, "'" + header + "' is not a valid header name");
		}
		else if (RESERVED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
			fail(key, "'" + header + "' is a header of HTTP or of the mesh; name one of your own, such as x-user-id");
		}
	}

	private void checkIngress(String key, Ingress ingress) {
		String path = ingress.path();
		if (path == null || path.isBlank()) {
			fail(key + ".path", "missing: an ingress needs a path such as /api/orders/**");
		}
		else if (!path.startsWith("/")) {
			fail(key + ".path", "'" + path + "' must start with '/'");
		}
		else {
			int wildcard = path.indexOf("/**");
			if (wildcard >= 0 && wildcard + 3 != path.length()) {
				fail(key + ".path", "'" + path + "': '**' may only end a path");
			}
		}
		checkMethods(key + ".methods", ingress.methods());
		for (String header : ingress.headers().keySet()) {
			if (!HEADER_NAME.matcher(header).matches()) {
				fail(key + ".headers", "'" + header + "' is not a valid header name");
			}
		}
		checkCookies(key + ".cookies", ingress.cookies());
		if (ingress.stripPrefix() < 0 || ingress.stripPrefix() > 32) {
			fail(key + ".strip-prefix", ingress.stripPrefix() + " is not between 0 and 32");
		}
	}

	private void checkMatch(String key, Match match) {
		if (match.service() == null || match.service().isBlank()) {
			fail(key + ".service", "missing: which service's calls does this route match?");
		}
		else if (!config.services().containsKey(match.service())) {
			fail(key + ".service", unknownService(match.service()));
		}
		if (match.pathPrefix() != null && !match.pathPrefix().startsWith("/")) {
			fail(key + ".path-prefix", "'" + match.pathPrefix() + "' must start with '/'");
		}
		for (String header : match.headers().keySet()) {
			if (!HEADER_NAME.matcher(header).matches()) {
				fail(key + ".headers", "'" + header + "' is not a valid header name");
			}
		}
		checkCookies(key + ".cookies", match.cookies());
	}

	/** RFC 6265: a cookie name is a token, its value has no spaces, quotes, commas, semicolons or backslashes. */
	private void checkCookies(String key, Map<String, String> cookies) {
		cookies.forEach((name, value) -> {
			if (!HEADER_NAME.matcher(name).matches()) {
				fail(key, "'" + name + "' is not a valid cookie name");
			}
			else if (!COOKIE_VALUE.matcher(value).matches()) {
				fail(key + "." + name, "'" + value + "' is not a valid cookie value");
			}
		});
	}

	private void checkDestinations(String key, List<Destination> to) {
		if (to.isEmpty()) {
			fail(key, "missing: name a service (to: orders) or weighted services");
			return;
		}
		int total = 0;
		Set<String> seen = new LinkedHashSet<>();
		for (int i = 0; i < to.size(); i++) {
			Destination destination = to.get(i);
			String at = key + "[" + i + "]";
			if (destination.service() == null || destination.service().isBlank()) {
				violations.add(Violation.at(at + ".service", key, "missing: which service?"));
			}
			else if (!config.services().containsKey(destination.service())) {
				violations.add(Violation.at(at + ".service", key, unknownService(destination.service())));
			}
			else if (!seen.add(destination.service())) {
				fail(at + ".service", "service '" + destination.service() + "' appears twice in this split");
			}
			if (destination.weight() < 0 || destination.weight() > 100) {
				fail(at + ".weight", destination.weight() + " is not a percentage (0 to 100)");
			}
			total += destination.weight();
		}
		if (total != 100) {
			fail(key, "weights add up to " + total + "; they must add up to 100");
		}
	}

	private void checkPolicies() {
		for (int i = 0; i < config.policies().size(); i++) {
			Policy policy = config.policies().get(i);
			String key = "mesh.policies[" + i + "]";
			if (policy.service() == null) {
				fail(key + ".service", "missing: which service does this policy protect?");
			}
			else if (!config.services().containsKey(policy.service())) {
				fail(key + ".service", unknownService(policy.service()));
			}
			for (int r = 0; r < policy.allow().size(); r++) {
				Policy.AllowRule rule = policy.allow().get(r);
				String at = key + ".allow[" + r + "]";
				for (int f = 0; f < rule.from().size(); f++) {
					String caller = rule.from().get(f);
					if (!caller.equals(GATEWAY_IDENTITY) && !caller.equals("*") && !config.services().containsKey(caller)) {
						fail(at + ".from[" + f + "]", unknownService(caller));
					}
				}
				checkMethods(at + ".methods", rule.methods());
				for (String header : rule.headers().keySet()) {
					if (!HEADER_NAME.matcher(header).matches()) {
						fail(at + ".headers", "'" + header + "' is not a valid header name");
					}
				}
				for (int p = 0; p < rule.paths().size(); p++) {
					if (!rule.paths().get(p).startsWith("/")) {
						fail(at + ".paths[" + p + "]", "'" + rule.paths().get(p) + "' must start with '/'");
					}
				}
			}
		}
	}

	private void checkMethods(String key, List<String> methods) {
		for (int i = 0; i < methods.size(); i++) {
			String method = methods.get(i);
			if (!METHODS.contains(method.toUpperCase(Locale.ROOT))) {
				fail(key + "[" + i + "]", "unknown HTTP method '" + method + "'" + Suggestions.didYouMean(method, METHODS));
			}
		}
	}

	private String unknownService(String name) {
		String suggestion = Suggestions.didYouMean(name, config.services().keySet());
		return "unknown service '" + name + "'" + (suggestion.isEmpty()
				? "; declare it under mesh.services ('" + name + ": {}' without settings)"
				: suggestion);
	}

	/** Two ingress matches that differ only in letter case of methods or in order still collide. */
	private static Ingress normalized(Ingress ingress) {
		List<String> methods = ingress.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).sorted().toList();
		return new Ingress(ingress.path(), methods, ingress.host(), ingress.headers(), ingress.cookies(), 0);
	}

	private void fail(String key, String message) {
		violations.add(Violation.at(key, message));
	}
}
