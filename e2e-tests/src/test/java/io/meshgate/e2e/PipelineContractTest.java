package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.meshgate.e2e.support.ConfigRepo;
import io.meshgate.e2e.support.ContractBackend;
import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.JavaProcess;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.PrometheusScrape;
import io.meshgate.e2e.support.ProtocolServers;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * The request pipeline's contract: one table of cases, each run through every transport (the HTTP/1.1 relay; HTTP/1.0
 * and {@code Expect: 100-continue}, which take the reactor-netty path; h2c) on both planes (the gateway's ingress;
 * an agent's outbound to another agent's inbound), all real processes. The same case must give the same answer and
 * the same golden-metric increments everywhere: on the calling proxy (ingress or outbound) and on the destination
 * node's inbound listener. A case that cannot apply to a plane says why.
 */
class PipelineContractTest {

	private static final int CLOSED_PORT = FreePorts.closed();

	private static final String REQUESTS = "meshgate_requests_total";

	private static final String DURATIONS = "meshgate_request_duration_seconds_count";

	private static final String RETRIES = "meshgate_request_retries_total";

	@TempDir
	static Path work;

	static MeshStack mesh;

	static ContractBackend backend;

	enum Plane {
		EDGE, MESH
	}

	enum Transport {
		RELAY, HTTP_1_0, EXPECT_100, H2C
	}

	/**
	 * @param edgePath  the request at the gateway ({@code null}: not applicable, see {@code why})
	 * @param service   the service called through node-a's outbound listener ({@code null}: not applicable)
	 * @param edgeRoute the route the gateway counts it under
	 * @param meshRoute the route node-a counts it under
	 * @param inbound   code and outcome counted by node-b's inbound listener, {@code null} when it is not reached
	 */
	record Case(String name, String edgePath, String service, String meshPath, int status, String body,
			String edgeRoute, String meshRoute, String destination, String code, String outcome, String[] inbound,
			String why) {

		@Override
		public String toString() {
			return name;
		}
	}

	static final List<Case> CASES = List.of(
			new Case("route match", "/contract/echo", "contract", "/echo", 200, "echo", "contract-edge", "default",
					"contract", "2xx", "success", new String[] { "2xx", "success" }, null),
			new Case("no endpoint", "/empty/x", "contract-empty", "/x", 503, "no_healthy_endpoint", "empty-edge",
					"default", "contract-empty", "5xx", "no_healthy_endpoint", null, null),
			new Case("connection refused", "/refused/x", "contract-refused", "/x", 502, "connect_failed",
					"refused-edge", "default", "contract-refused", "5xx", "connect_failed", null, null),
			// the destination's agent answers the reset; the caller's proxy relays that answer as it is
			new Case("upstream reset", "/contract/close", "contract", "/close", 502, "upstream_reset", "contract-edge",
					"default", "contract", "5xx", "success", new String[] { "5xx", "upstream_reset" }, null),
			// the caller's proxy owns the timeout and leaves the destination's agent, for which the caller left
			new Case("timeout before the response head", "/contract/slow", "contract", "/slow", 504, "timeout",
					"contract-edge", "default", "contract", "5xx", "timeout", new String[] { "none", "cancelled" },
					null),
			new Case("a response streaming past the timeout", "/contract/stream", "contract", "/stream", 200,
					"part0;part1;part2;", "contract-edge", "default", "contract", "2xx", "success",
					new String[] { "2xx", "success" }, null),
			new Case("https endpoint, good certificate", "/tls/x", "contract-tls", "/x", 200, "tls echo", "tls-edge",
					"default", "contract-tls", "2xx", "success", null, null),
			new Case("https endpoint, certificate for another host", "/badtls/x", "contract-badtls", "/x", 502,
					"its certificate does not name the host called", "badtls-edge", "default",
					"contract-badtls", "5xx", "upstream_tls", null, null),
			new Case("unknown service", null, "nope", "/x", 503, "unknown_service", null, "default", "unknown", "5xx",
					"unknown_service", null, "edge: a route names only services validation knows (see 'no route')"),
			// the destination's agent refuses (its policy names another caller); the caller's proxy relays that answer
			new Case("denied by the destination's policy", "/denied/x", "contract-denied", "/x", 403,
					"no policy rule of service 'contract-denied' allows this call", "denied-edge", "default",
					"contract-denied", "4xx", "success", new String[] { "4xx", "denied" }, null),
			// the route's fault injection answers before balancing: nothing is forwarded (the service has no endpoint)
			new Case("fault injected", "/fault/x", "contract-fault", "/x", 503, "fault injected by route",
					"fault-edge", "fault-mesh", "contract-fault", "5xx", "fault", null, null),
			new Case("no bearer token on a route that requires one", "/token/x", null, null, 401,
					"\"error\":\"unauthenticated\"", "token-edge", null, "contract", "4xx", "unauthenticated", null,
					"mesh: east-west calls are authenticated by certificates, not bearer tokens (edge only)"),
			new Case("no route", "/nowhere/x", null, null, 404, "", null, null, null, null, null, null,
					"mesh: a call no east-west route matches goes to the called service itself ('route match')"));

	static Stream<Arguments> cases() {
		List<Arguments> all = new ArrayList<>();
		for (Case c : CASES) {
			for (Plane plane : Plane.values()) {
				for (Transport transport : Transport.values()) {
					all.add(Arguments.of(c, plane, transport));
				}
			}
		}
		return all.stream();
	}

	@BeforeAll
	static void start() {
		backend = new ContractBackend(work.resolve("certificates"));
		mesh = new MeshStack(work, """
				    contract:
				      timeout: 1s
				    contract-v2:
				      timeout: 1s
				    contract-grpc:
				      timeout: 1s
				    contract-grpc-retry:
				      timeout: 2s
				      retries: { backoff: 5ms }
				    contract-grpc-direct:
				      timeout: 2s
				      endpoints: [ http://127.0.0.1:%4$d ]
				      retries: { backoff: 5ms }
				    contract-empty:
				      timeout: 1s
				    contract-refused:
				      endpoints: [ http://127.0.0.1:%d ]
				    contract-tls:
				      endpoints: [ https://127.0.0.1:%d ]
				    contract-badtls:
				      endpoints: [ https://127.0.0.1:%d ]
				    contract-denied:
				      timeout: 1s
				    contract-fault:
				    contract-mirrored:
				    contract-shadow:
				      timeout: 2s
				    contract-limited:
				    contract-limit:
				      timeout: 1s
				      rate-limit: { requests: 1, per: 1h, key: caller }
				    contract-retry:
				      timeout: 2s
				      retries: { attempts: 2, retry-on: [ reset, gateway-error ], backoff: 5ms, methods: [ POST ] }
				""".formatted(CLOSED_PORT, backend.tlsPort, backend.wrongHostTlsPort, backend.grpcPort), Map.of("contract", backend.httpPort, "contract-v2", backend.httpPort,
						"contract-grpc", backend.grpcPort, "contract-denied", backend.httpPort, "contract-retry",
						backend.httpPort, "contract-limit", backend.httpPort, "contract-shadow", backend.httpPort, "contract-grpc-retry",
						backend.grpcPort));
		mesh.repo.edit("application.yml", yaml -> yaml.replace("  routes:\n", """
				  routes:
				    - id: contract-edge
				      ingress: { path: /contract/**, strip-prefix: 1 }
				      auth: none
				      to: contract
				    - id: split-edge
				      ingress: { path: /split/**, strip-prefix: 1 }
				      auth: none
				      to: [ { service: contract, weight: 50 }, { service: contract-v2, weight: 50 } ]
				    - id: split-mesh
				      match: { service: contract, headers: { x-split: "yes" } }
				      to: [ { service: contract, weight: 50 }, { service: contract-v2, weight: 50 } ]
				    - id: empty-edge
				      ingress: { path: /empty/**, strip-prefix: 1 }
				      auth: none
				      to: contract-empty
				    - id: refused-edge
				      ingress: { path: /refused/**, strip-prefix: 1 }
				      auth: none
				      to: contract-refused
				    - id: tls-edge
				      ingress: { path: /tls/**, strip-prefix: 1 }
				      auth: none
				      to: contract-tls
				    - id: badtls-edge
				      ingress: { path: /badtls/**, strip-prefix: 1 }
				      auth: none
				      to: contract-badtls
				    - id: grpc-retry-edge
				      ingress: { path: /contract.Echo/FlakyOnce }
				      auth: none
				      to: contract-grpc-retry
				    - id: grpc-edge
				      ingress: { path: /contract.Echo/** }
				      auth: none
				      to: contract-grpc
				    - id: denied-edge
				      ingress: { path: /denied/**, strip-prefix: 1 }
				      auth: none
				      to: contract-denied
				    - id: fault-edge
				      ingress: { path: /fault/**, strip-prefix: 1 }
				      auth: none
				      to: contract-fault
				      fault: { abort: { percent: 100 } }
				    - id: fault-mesh
				      match: { service: contract-fault }
				      to: contract-fault
				      fault: { abort: { percent: 100 } }
				    - id: limit-edge
				      ingress: { path: /limit/**, strip-prefix: 1 }
				      auth: none
				      to: contract
				      rate-limit: { requests: 1, per: 1h, key: "header:x-client" }
				    - id: limit-mesh
				      match: { service: contract-limited }
				      to: contract
				      rate-limit: { requests: 1, per: 1h, key: "header:x-client" }
				    - id: service-limit-edge
				      ingress: { path: /service-limit/**, strip-prefix: 1 }
				      auth: none
				      to: contract-limit
				    - id: mirror-edge
				      ingress: { path: /mirror/**, strip-prefix: 1 }
				      auth: none
				      to: contract
				      mirror: { service: contract-shadow }
				    - id: mirror-mesh
				      match: { service: contract-mirrored }
				      to: contract
				      mirror: { service: contract-shadow }
				    - id: retry-edge
				      ingress: { path: /retry/**, strip-prefix: 1 }
				      auth: none
				      to: contract-retry
				    - id: token-edge
				      ingress: { path: /token/**, strip-prefix: 1 }
				      to: contract
				      auth: { scopes: [ contract.read ] }
				""") + """
				  # the edge checks tokens (no request here gets as far as the keys); only token-edge asks for one
				  jwt:
				    issuer: http://idp.invalid
				    jwks-uri: http://127.0.0.1:%d/jwks
				  policies:
				    - service: contract-denied
				      allow:
				        - from: [ contract ]
				""".formatted(CLOSED_PORT), "the contract suite's routes, a token route, a policy");
		// every trace recorded, for a collector that is down: spans are dropped and counted, requests go on
		mesh.repo.edit("application.yml", yaml -> ConfigRepo.withTelemetry(yaml, """
				  telemetry:
				    tracing:
				      endpoint: http://127.0.0.1:%d/api/v2/spans
				      sampling: 1.0
				""".formatted(CLOSED_PORT)), "every trace recorded, to a collector that is down");
		mesh.trustUpstreamCertificates(backend.certificates.ca).startAll();
		await().atMost(Duration.ofSeconds(15)).until(() -> Http.get(mesh.gatewayUrl("/contract/echo")).status() == 200
				&& call(Plane.MESH, Transport.RELAY, "contract", "/echo").status() == 200);
	}

	@AfterAll
	static void stop() {
		if (mesh != null) {
			mesh.close();
		}
		if (backend != null) {
			backend.close();
		}
	}

	@ParameterizedTest(name = "{0} / {1} / {2}")
	@MethodSource("cases")
	void theSameCaseGivesTheSameResultOnEveryTransportAndPlane(Case c, Plane plane, Transport transport) {
		String path = plane == Plane.EDGE ? c.edgePath : c.meshPath;
		if (path == null) {
			assertThat(c.why).as("a case that does not apply says why").contains(plane.name().toLowerCase());
			return;
		}
		Meters before = Meters.scrape(plane);
		Answer answer = call(plane, transport, c.service, path);
		assertThat(answer.status).as(answer.body).isEqualTo(c.status);
		assertThat(answer.body).contains(c.body);
		// what the proxy answers names the service and a request id, never an address or an exception
		assertThat(answer.body).doesNotContain("127.0.0.1").doesNotContain("Exception");
		if (answer.body.startsWith("{\"status\"")) {
			assertThat(answer.body).containsPattern("\"requestId\":\"[0-9a-f]{32}\"");
		}
		if (c.outcome != null && c.outcome.equals("connect_failed")) {
			// ... which the calling proxy's log has, with the endpoint (rate-limited: at least the first)
			JavaProcess proxy = plane == Plane.EDGE ? mesh.gateway() : mesh.agentA;
			await().atMost(Duration.ofSeconds(5)).until(() -> proxy.log().lines()
				.anyMatch(line -> line.contains("connect_failed") && line.contains(":" + CLOSED_PORT)));
		}
		if (c.name.equals("route match")) {
			// the path the service saw: strip-prefix applied at the edge, the caller's own east-west
			assertThat(answer.servedPath).isEqualTo("/echo");
		}
		if (c.code == null) {
			// not the mesh's request: nothing counted
			assertThat(Meters.scrape(plane).callerTotal() - before.callerTotal()).isZero();
			return;
		}
		Map<String, String> caller = Map.of("route", plane == Plane.EDGE ? c.edgeRoute : c.meshRoute,
				"destination", c.destination, "code", c.code, "outcome", c.outcome);
		Map<String, String> inbound = c.inbound == null ? null
				: Map.of("destination", c.destination, "code", c.inbound[0], "outcome", c.inbound[1]);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			String counted = "counted by the caller:" + after.caller.changedSince(before.caller, REQUESTS)
					+ "\ncounted by node-b:" + after.inbound.changedSince(before.inbound, REQUESTS) + "\n";
			assertThat(after.caller(REQUESTS, caller) - before.caller(REQUESTS, caller)).as(counted).isEqualTo(1);
			assertThat(after.caller(DURATIONS, caller) - before.caller(DURATIONS, caller)).as(counted).isEqualTo(1);
			assertThat(after.callerTotal() - before.callerTotal()).as("counted once, nothing else; " + counted)
				.isEqualTo(1);
			if (inbound != null) {
				assertThat(after.inbound(REQUESTS, inbound) - before.inbound(REQUESTS, inbound)).as(counted)
					.isEqualTo(1);
			}
			assertThat(after.inboundTotal() - before.inboundTotal()).as(counted).isEqualTo(inbound == null ? 0 : 1);
			if ("upstream_tls".equals(c.outcome)) {
				// the calling proxy counts the failed handshake, by reason, on every transport
				assertThat(after.tlsHandshakes("failure", "wrong_host") - before.tlsHandshakes("failure", "wrong_host"))
					.isEqualTo(1);
			}
			if (c.name.startsWith("https endpoint, good")) {
				assertThat(after.tlsHandshakes("success", "none")).isPositive();
				assertThat(after.tlsHandshakes("failure", "untrusted")).isZero();
			}
		});
	}

	/** One normalised path on both planes and both transports, as the service gets it (issue 10's normaliser). */
	static Stream<Arguments> paths() {
		List<Arguments> all = new ArrayList<>();
		for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
			all.add(Arguments.of(Plane.EDGE, version, "/contract/x/../echo", 200, "/echo"));
			all.add(Arguments.of(Plane.MESH, version, "/x/../echo", 200, "/echo"));
			all.add(Arguments.of(Plane.EDGE, version, "/contract/%2e%2e/echo", 404, null)); // left the route: /echo
			all.add(Arguments.of(Plane.MESH, version, "/%2e%2e/%65cho", 200, "/echo"));
			all.add(Arguments.of(Plane.EDGE, version, "/contract/a%2F..%2Fecho", 400, "an encoded '/'"));
			all.add(Arguments.of(Plane.MESH, version, "/a%2F..%2Fecho", 400, "an encoded '/'"));
			all.add(Arguments.of(Plane.EDGE, version, "/contract/..;/echo", 400, "a dot segment with parameters"));
			all.add(Arguments.of(Plane.MESH, version, "/a/..;/echo", 400, "a dot segment with parameters"));
		}
		return all.stream();
	}

	@ParameterizedTest(name = "{0} {1} {2} -> {3}")
	@MethodSource("paths")
	void aPathIsNormalisedOnceAndTheServiceGetsWhatWasMatched(Plane plane, String version, String path, int status,
			String expected) {
		Meters before = Meters.scrape(plane);
		Answer answer = raw(plane, version, "contract", path);
		assertThat(answer.status).as(answer.body).isEqualTo(status);
		if (status == 200) {
			assertThat(answer.servedPath).isEqualTo(expected);
		}
		if (status == 400) {
			assertThat(answer.body).contains("\"error\":\"bad_request\"").contains(expected);
			Map<String, String> refused = Map.of("code", "4xx", "outcome", "bad_request");
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				Meters after = Meters.scrape(plane);
				assertThat(after.caller(REQUESTS, refused) - before.caller(REQUESTS, refused)).isEqualTo(1);
				assertThat(after.inboundTotal() - before.inboundTotal()).as("never forwarded").isZero();
			});
			assertThat(call(plane, Transport.RELAY, "contract", plane == Plane.EDGE ? "/contract/echo" : "/echo")
				.status()).as("still serving").isEqualTo(200);
		}
	}

	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("bodyTransports")
	void theEdgeReplacesACallersForwardedClaimsAndTheMeshKeepsWhatItSent(Plane plane, Transport transport) {
		Map<String, String> spoofed = Map.of("x-forwarded-for", "6.6.6.6", "x-forwarded-proto", "https",
				"x-forwarded-host", "bank.example", "forwarded", "for=6.6.6.6;proto=https", "x-real-ip", "6.6.6.6");
		Answer answer = call(plane, transport, "contract", plane == Plane.EDGE ? "/contract/headers" : "/headers",
				spoofed);
		assertThat(answer.status).isEqualTo(200);
		if (plane == Plane.EDGE) {
			// the gateway believes the connection (the caller, 127.0.0.1); node-b's inbound appends the gateway
			assertThat(answer.body).isEqualTo("xff=127.0.0.1, 127.0.0.1|xfp=http|xfh=127.0.0.1:" + mesh.gatewayPort
					+ "|forwarded=for=127.0.0.1;proto=http;host=\"127.0.0.1:" + mesh.gatewayPort
					+ "\"|real=null|via=1.1 meshgate, 1.1 meshgate");
		}
		else {
			// a local app is inside the mesh: what it sent is kept, each agent appends its caller
			assertThat(answer.body).startsWith("xff=6.6.6.6, 127.0.0.1, 127.0.0.1|xfp=https|xfh=bank.example|")
				.endsWith("|via=1.1 meshgate, 1.1 meshgate");
		}
	}

	/**
	 * W3C trace context on every transport and plane: a caller's trace goes on (same trace id, this hop's span as the
	 * parent, its sampling decision kept), and a request without one gets a new trace at the first proxy.
	 */
	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("bodyTransports")
	void theTraceContextIsContinuedOrStartedOnEveryTransportAndPlane(Plane plane, Transport transport) {
		String path = plane == Plane.EDGE ? "/contract/trace" : "/trace";
		String traceId = "0af7651916cd43dd8448eb211c80319c";
		for (String flags : List.of("01", "00")) {
			Answer continued = call(plane, transport, "contract", path,
					Map.of("traceparent", "00-" + traceId + "-b7ad6b7169203331-" + flags, "tracestate", "vendor=1"));
			assertThat(continued.status).isEqualTo(200);
			assertThat(continued.body).matches("traceparent=00-" + traceId + "-[0-9a-f]{16}-" + flags + "\\|.*")
				.doesNotContain("b7ad6b7169203331");
		}
		Answer started = call(plane, transport, "contract", path);
		assertThat(started.body).matches("traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-01\\|.*").doesNotContain(traceId);
		// the collector is down: the spans of these requests are dropped and counted, the requests were served
		String metrics = plane == Plane.EDGE ? mesh.managementUrl("/actuator/prometheus")
				: mesh.a.adminUrl("/actuator/prometheus");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> PrometheusScrape.of(metrics).sum("meshgate_tracing_spans_dropped_total", Map.of()) > 0);
		assertThat(call(plane, transport, "contract", plane == Plane.EDGE ? "/contract/echo" : "/echo").status)
			.isEqualTo(200);
	}

	/**
	 * A retry, on every transport and plane: the service fails the first try (its connection closes), the destination
	 * node's agent answers that 502, and the calling proxy, whose policy retries gateway errors, tries again. The
	 * caller gets the good answer; the calling proxy counts one request (a success) and one retry; the destination
	 * counts both tries.
	 */
	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("allTransports")
	void aFailedTryIsRetriedAndCountedOnceWithItsRetry(Plane plane, Transport transport) {
		String key = "/fail-once/" + plane + "-" + transport;
		Meters before = Meters.scrape(plane);

		Answer answer = call(plane, transport, "contract-retry", plane == Plane.EDGE ? "/retry" + key : key);

		assertThat(answer.status).as(answer.body).isEqualTo(200);
		assertThat(answer.body).isEqualTo("recovered");
		String route = plane == Plane.EDGE ? "retry-edge" : "default";
		Map<String, String> success = Map.of("route", route, "destination", "contract-retry", "code", "2xx",
				"outcome", "success");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			String counted = "counted by the caller:" + after.caller.changedSince(before.caller, REQUESTS)
					+ "\ncounted by node-b:" + after.inbound.changedSince(before.inbound, REQUESTS) + "\n";
			assertThat(after.caller(REQUESTS, success) - before.caller(REQUESTS, success)).as(counted).isEqualTo(1);
			assertThat(after.callerTotal() - before.callerTotal()).as("counted once; " + counted).isEqualTo(1);
			Map<String, String> retry = Map.of("route", route, "destination", "contract-retry", "reason",
					"gateway_error");
			assertThat(after.caller(RETRIES, retry) - before.caller(RETRIES, retry)).as(counted).isEqualTo(1);
			Map<String, String> reset = Map.of("destination", "contract-retry", "outcome", "upstream_reset");
			Map<String, String> served = Map.of("destination", "contract-retry", "outcome", "success");
			assertThat(after.inbound(REQUESTS, reset) - before.inbound(REQUESTS, reset)).as(counted).isEqualTo(1);
			assertThat(after.inbound(REQUESTS, served) - before.inbound(REQUESTS, served)).as(counted).isEqualTo(1);
		});
	}

	/**
	 * A route's rate limit, on every transport and plane: one request per hour for each {@code x-client}, so the second
	 * request of a client is answered 429 by the proxy serving the route, with {@code Retry-After} and the
	 * {@code RateLimit} fields, counted as {@code rate_limited} and never forwarded. (HTTP/1.0 requests here carry no
	 * {@code x-client}: they share the bucket of requests without one, used by that transport's case alone.)
	 */
	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("allTransports")
	void aRequestOverARoutesRateLimitIsAnswered429WithItsFields(Plane plane, Transport transport) {
		Map<String, String> headers = Map.of("x-client", plane + "-" + transport);
		String path = plane == Plane.EDGE ? "/limit/echo" : "/echo";
		assertThat(call(plane, transport, "contract-limited", path, headers).status).isEqualTo(200);
		Meters before = Meters.scrape(plane);

		Answer limited = call(plane, transport, "contract-limited", path, headers);

		assertThat(limited.status).as(limited.body).isEqualTo(429);
		assertThat(limited.body).contains("\"error\":\"rate_limited\"").contains("takes 1 requests per 1 h");
		assertThat(limited.headers).containsEntry("retry-after", "3600");
		String route = plane == Plane.EDGE ? "limit-edge" : "limit-mesh";
		assertThat(limited.headers.get("ratelimit-policy")).isEqualTo("\"" + route + "\";q=1;w=3600");
		assertThat(limited.headers.get("ratelimit")).isEqualTo("\"" + route + "\";r=0;t=3600");
		Map<String, String> counted = Map.of("route", route, "code", "4xx", "outcome", "rate_limited");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			assertThat(after.caller(REQUESTS, counted) - before.caller(REQUESTS, counted)).isEqualTo(1);
			assertThat(after.inboundTotal() - before.inboundTotal()).as("never forwarded").isZero();
		});
	}

	/**
	 * A service's rate limit is kept by the agent in front of it, for each calling service: the gateway and orders
	 * (node-a) each get one request an hour, so each one's second call is answered 429 by node-b, and the calling
	 * proxy relays that answer.
	 */
	@Test
	void aServicesRateLimitIsKeptInFrontOfItForEachCaller() {
		for (Plane plane : Plane.values()) {
			Answer first = call(plane, Transport.RELAY, "contract-limit", plane == Plane.EDGE ? "/service-limit/echo" : "/echo");
			assertThat(first.status).as(plane + ": " + first.body).isEqualTo(200);
		}
		for (Plane plane : Plane.values()) {
			Answer second = call(plane, Transport.RELAY, "contract-limit", plane == Plane.EDGE ? "/service-limit/echo" : "/echo");
			assertThat(second.status).as(plane + ": " + second.body).isEqualTo(429);
			assertThat(second.body).contains("service 'contract-limit' takes 1 requests per 1 h for each caller");
			assertThat(second.headers).containsEntry("retry-after", "3600");
		}
	}

	/**
	 * Shadow traffic, on every transport and plane: the request is answered by its route's destination, and a copy
	 * (marked {@code x-meshgate-shadow}) reaches the mirror service through the destination node's agent, as any call
	 * would. A request with a body ({@code Expect: 100-continue} here posts one) is not copied, and counted as skipped.
	 */
	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("allTransports")
	void aMirroredRouteSendsAShadowCopyOfRequestsWithoutABody(Plane plane, Transport transport) {
		String key = "k=" + plane + "-" + transport;
		String route = plane == Plane.EDGE ? "mirror-edge" : "mirror-mesh";
		String metrics = plane == Plane.EDGE ? mesh.managementUrl("/actuator/prometheus")
				: mesh.a.adminUrl("/actuator/prometheus");
		Map<String, String> skipped = Map.of("route", route, "outcome", "skipped");
		double skippedBefore = PrometheusScrape.of(metrics).sum("meshgate_mirror_requests_total", skipped);

		Answer answer = call(plane, transport, "contract-mirrored", (plane == Plane.EDGE ? "/mirror" : "") + "/echo?"
				+ key);

		assertThat(answer.status).as(answer.body).isEqualTo(200);
		assertThat(answer.body).isEqualTo("echo");
		if (transport == Transport.EXPECT_100) {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> PrometheusScrape.of(metrics).sum("meshgate_mirror_requests_total", skipped) > skippedBefore);
			assertThat(backend.shadowed).noneMatch(uri -> uri.contains(key));
			return;
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.shadowed.contains("/echo?" + key));
		Map<String, String> sent = Map.of("route", route, "destination", "contract-shadow", "outcome", "sent");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> PrometheusScrape.of(metrics).sum("meshgate_mirror_requests_total", sent) > 0);
	}

	static Stream<Arguments> grpcRetries() {
		return Stream.of(Arguments.of(Plane.EDGE, "contract-grpc-retry"), Arguments.of(Plane.MESH, "contract-grpc-retry"),
				Arguments.of(Plane.MESH, "contract-grpc-direct"));
	}

	/**
	 * A gRPC call that fails UNAVAILABLE before any message is retried by the calling proxy, as its service's default
	 * {@code retry-on} says; the caller sees the answer of the second try and one retry is counted with reason
	 * {@code unavailable}. Both ways such an answer arrives: trailers-only from a service called directly (a static
	 * endpoint), or as a head then trailers when node-b's agent relays it (the caller's proxy holds the head until it
	 * knows). At the edge, the route to the FlakyOnce method goes through node-b.
	 */
	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("grpcRetries")
	void aGrpcCallFailingUnavailableIsRetried(Plane plane, String service) {
		ManagedChannel channel = grpcChannel(plane, service);
		try {
			Meters before = Meters.scrape(plane);
			String name = "call-" + plane + "-" + service;
			String answer = ClientCalls.blockingUnaryCall(channel,
					ProtocolServers.method("contract.Echo", "FlakyOnce", MethodDescriptor.MethodType.UNARY),
					CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), name);
			assertThat(answer).isEqualTo("recovered " + name);
			Map<String, String> retry = Map.of("destination", service, "reason", "unavailable");
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(
						Meters.scrape(plane).caller(RETRIES, retry) - before.caller(RETRIES, retry))
					.isEqualTo(1));
		}
		finally {
			channel.shutdownNow();
		}
	}

	/** Requests whose framing a backend could read differently: refused on both planes, never forwarded. */
	static Stream<Arguments> badFraming() {
		List<Arguments> all = new ArrayList<>();
		for (Plane plane : Plane.values()) {
			String path = plane == Plane.EDGE ? "/contract/echo" : "/echo";
			String host = plane == Plane.EDGE ? "127.0.0.1" : "contract";
			all.add(Arguments.of(plane, "POST " + path + " HTTP/1.1\r\nHost: " + host
					+ "\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "501"));
			all.add(Arguments.of(plane, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nHost: other\r\n\r\n",
					"400"));
			all.add(Arguments.of(plane, "POST " + path + " HTTP/1.1\r\nHost: " + host
					+ "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "400"));
		}
		return all.stream();
	}

	@ParameterizedTest(name = "{0}: {2}")
	@MethodSource("badFraming")
	void badFramingIsRefusedOnBothPlanesAndTheProxyServesOn(Plane plane, String request, String status)
			throws IOException {
		Meters before = Meters.scrape(plane);
		int port = plane == Plane.EDGE ? mesh.gatewayPort : mesh.a.outbound;
		String answer;
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // to the close
		}
		assertThat(answer).startsWith("HTTP/1.1 " + status).containsIgnoringCase("connection: close");
		// a head may have left already (a bad chunk comes after it); a whole request never reaches the service
		Map<String, String> completed = Map.of("outcome", "success");
		assertThat(Meters.scrape(plane).inbound(REQUESTS, completed) - before.inbound(REQUESTS, completed))
			.as("no request reached the service whole")
			.isZero();
		assertThat(call(plane, Transport.RELAY, "contract", plane == Plane.EDGE ? "/contract/echo" : "/echo").status())
			.as("still serving")
			.isEqualTo(200);
	}

	@ParameterizedTest
	@EnumSource(Plane.class)
	void aWeightedSplitSharesTrafficAndCountsEachDestination(Plane plane) {
		Meters before = Meters.scrape(plane);
		for (int i = 0; i < 100; i++) {
			Answer answer = plane == Plane.EDGE ? call(plane, Transport.RELAY, null, "/split/echo")
					: call(plane, Transport.RELAY, "contract", "/echo", Map.of("x-split", "yes"));
			assertThat(answer.status).isEqualTo(200);
		}
		String route = plane == Plane.EDGE ? "split-edge" : "split-mesh";
		Meters after = Meters.scrape(plane);
		double v1 = after.caller(REQUESTS, Map.of("route", route, "destination", "contract"))
				- before.caller(REQUESTS, Map.of("route", route, "destination", "contract"));
		double v2 = after.caller(REQUESTS, Map.of("route", route, "destination", "contract-v2"))
				- before.caller(REQUESTS, Map.of("route", route, "destination", "contract-v2"));
		assertThat(v1 + v2).isEqualTo(100);
		assertThat(v1).isBetween(25.0, 75.0);
	}

	@ParameterizedTest
	@MethodSource("bodyTransports")
	void hundredMegabytesEachWayAreStreamedAndCounted(Plane plane, Transport transport) throws Exception {
		Meters before = Meters.scrape(plane);
		MessageDigest sent = ContractBackend.sha256();
		Flux<io.netty.buffer.ByteBuf> body = Flux.range(0, (int) (ContractBackend.BIG / 65536)).map(i -> {
			byte[] chunk = new byte[65536];
			chunk[0] = (byte) i.intValue();
			sent.update(chunk);
			return Unpooled.wrappedBuffer(chunk);
		});
		String received = client(plane, transport, "contract").post()
			.uri(url(plane, plane == Plane.EDGE ? "/contract/sha256" : "/sha256"))
			.send(body)
			.responseContent()
			.aggregate()
			.asString()
			.block(Duration.ofSeconds(60));
		assertThat(received).isEqualTo(HexFormat.of().formatHex(sent.digest()));
		Long downloaded = client(plane, transport, "contract").get()
			.uri(url(plane, plane == Plane.EDGE ? "/contract/big" : "/big"))
			.responseContent()
			.map(buffer -> (long) buffer.readableBytes())
			.reduce(0L, Long::sum)
			.block(Duration.ofSeconds(60));
		assertThat(downloaded).isEqualTo(ContractBackend.BIG);
		Map<String, String> contract = Map.of("destination", "contract");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			assertThat(after.caller("meshgate_request_body_bytes_total", contract)
					- before.caller("meshgate_request_body_bytes_total", contract)).isEqualTo(ContractBackend.BIG);
			assertThat(after.caller("meshgate_response_body_bytes_total", contract)
					- before.caller("meshgate_response_body_bytes_total", contract))
				.isGreaterThanOrEqualTo(ContractBackend.BIG);
		});
	}

	static Stream<Arguments> allTransports() {
		return Stream.of(Plane.values()).flatMap(plane -> Stream.of(Transport.values()).map(t -> Arguments.of(plane, t)));
	}

	static Stream<Arguments> bodyTransports() {
		return Stream.of(Plane.values())
			.flatMap(plane -> Stream.of(Transport.RELAY, Transport.H2C).map(t -> Arguments.of(plane, t)));
	}

	@ParameterizedTest
	@MethodSource("bodyTransports")
	void aCallerCancellingBeforeTheResponseHeadIsCancelledAndTheEndpointUnharmed(Plane plane, Transport transport) {
		Meters before = Meters.scrape(plane);
		long failuresBefore = endpointFailures(plane);
		long warningsBefore = agentWarnings();
		client(plane, transport, "contract").get()
			.uri(url(plane, plane == Plane.EDGE ? "/contract/slow" : "/slow"))
			.responseContent()
			.then()
			.timeout(Duration.ofMillis(300), Mono.empty()) // gives up before the 1.5 s answer and the 1 s timeout
			.block(Duration.ofSeconds(5));
		Map<String, String> cancelled = Map.of("destination", "contract", "code", "none", "outcome", "cancelled");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			assertThat(after.caller(REQUESTS, cancelled) - before.caller(REQUESTS, cancelled)).isEqualTo(1);
			assertThat(after.callerTotal() - before.callerTotal()).isEqualTo(1);
			assertThat(after.active()).as("in flight").isZero();
		});
		assertThat(endpointFailures(plane)).as("a cancel is not the endpoint's failure").isEqualTo(failuresBefore);
		assertThat(agentWarnings()).as("a cancel is logged at DEBUG only").isEqualTo(warningsBefore);
	}

	@ParameterizedTest
	@MethodSource("bodyTransports")
	void aCallerLeavingMidResponseIsCountedOnceAndNothingStaysInFlight(Plane plane, Transport transport) {
		Meters before = Meters.scrape(plane);
		long warningsBefore = agentWarnings();
		String first = client(plane, transport, "contract").get()
			.uri(url(plane, plane == Plane.EDGE ? "/contract/stream" : "/stream"))
			.responseContent()
			.asString()
			.next()
			.block(Duration.ofSeconds(5));
		assertThat(first).startsWith("part0");
		Map<String, String> left = Map.of("destination", "contract", "code", "2xx", "outcome", "cancelled");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			assertThat(after.caller(REQUESTS, left) - before.caller(REQUESTS, left))
				.as("counted by the caller:" + after.caller.changedSince(before.caller, REQUESTS))
				.isEqualTo(1);
			assertThat(after.callerTotal() - before.callerTotal()).isEqualTo(1);
			assertThat(after.active()).isZero();
		});
		assertThat(agentWarnings()).as("a caller leaving is logged at DEBUG only").isEqualTo(warningsBefore);
	}

	@ParameterizedTest
	@EnumSource(Plane.class)
	void aWebsocketSessionIsOneExchange(Plane plane) {
		Meters before = Meters.scrape(plane);
		List<String> echoed = client(plane, Transport.RELAY, "contract").websocket()
			.uri(url(plane, plane == Plane.EDGE ? "/contract/ws" : "/ws").replace("http:", "ws:"))
			.handle((in, out) -> out.sendString(Flux.just("one", "two")).then().thenMany(in.receive().asString().take(2)))
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(echoed).containsExactly("echo: one", "echo: two");
		Map<String, String> session = Map.of("destination", "contract", "code", "1xx", "outcome", "success");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Meters after = Meters.scrape(plane);
			assertThat(after.caller(REQUESTS, session) - before.caller(REQUESTS, session)).isEqualTo(1);
			assertThat(after.callerTotal() - before.callerTotal()).isEqualTo(1);
			assertThat(after.inbound(REQUESTS, session) - before.inbound(REQUESTS, session)).isEqualTo(1);
			assertThat(after.active()).isZero();
		});
	}

	@ParameterizedTest
	@EnumSource(Plane.class)
	void grpcStreamsOutliveTheTimeoutAndACallTimingOutGetsDeadlineExceeded(Plane plane) {
		ManagedChannel channel = grpcChannel(plane, "contract-grpc");
		try {
			CallOptions generous = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
			List<String> drips = new ArrayList<>();
			ClientCalls.blockingServerStreamingCall(channel,
					ProtocolServers.method("contract.Echo", "Drip", MethodDescriptor.MethodType.SERVER_STREAMING),
					generous, "d")
				.forEachRemaining(drips::add);
			assertThat(drips).as("1.5 s between messages under a 1 s timeout").containsExactly("d0", "d1", "d2");
			Meters before = Meters.scrape(plane);
			StatusRuntimeException timedOut = org.assertj.core.api.Assertions.catchThrowableOfType(
					StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
							ProtocolServers.method("contract.Echo", "Slow", MethodDescriptor.MethodType.UNARY),
							generous, "s"));
			assertThat(timedOut.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
			assertThat(timedOut.getStatus().getDescription()).contains("'contract-grpc' did not answer in time");
			Map<String, String> timeout = Map.of("destination", "contract-grpc", "code", "5xx", "outcome", "timeout");
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(
						Meters.scrape(plane).caller(REQUESTS, timeout) - before.caller(REQUESTS, timeout))
					.isEqualTo(1));
		}
		finally {
			channel.shutdownNow();
		}
	}

	@Test
	void everyProxyNamesTheCommitItServesInConfigInfo() {
		String commit = mesh.controlPlaneApi.json("/mesh/v1/status").path("version").asString();
		assertThat(commit).isNotBlank();
		for (String url : List.of(mesh.managementUrl("/actuator/prometheus"), mesh.a.adminUrl("/actuator/prometheus"),
				mesh.b.adminUrl("/actuator/prometheus"))) {
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(PrometheusScrape.of(url).labelValues("meshgate_config_info", "version"))
					.as(url)
					.containsExactly(commit));
		}
	}

	// --- clients

	/** @param servedPath the path the contract backend saw, from its x-served-path header ({@code null}: none) */
	/** @param headers the response's headers, names in lower case */
	record Answer(int status, String body, String servedPath, Map<String, String> headers) {
	}

	static Answer call(Plane plane, Transport transport, String service, String path) {
		return call(plane, transport, service, path, Map.of());
	}

	static Answer call(Plane plane, Transport transport, String service, String path, Map<String, String> headers) {
		if (transport == Transport.HTTP_1_0) {
			return http10(plane, service, path);
		}
		HttpClient client = client(plane, transport, service)
			.headers(h -> headers.forEach(h::set))
			.headers(h -> {
				if (transport == Transport.EXPECT_100) {
					h.set("expect", "100-continue");
				}
			});
		var request = transport == Transport.EXPECT_100
				? client.post().uri(url(plane, path)).send(Mono.just(Unpooled.wrappedBuffer("x".getBytes())))
				: client.get().uri(url(plane, path));
		return request.responseSingle((response, body) -> body.asString()
			.defaultIfEmpty("")
			.map(text -> new Answer(response.status().code(), text,
					response.responseHeaders().get("x-served-path"), lowerCase(response.responseHeaders())))).block(Duration.ofSeconds(10));
	}

	private static Map<String, String> lowerCase(io.netty.handler.codec.http.HttpHeaders headers) {
		Map<String, String> all = new java.util.HashMap<>();
		headers.forEach(header -> all.put(header.getKey().toLowerCase(java.util.Locale.ROOT), header.getValue()));
		return all;
	}

	/** A plain-text gRPC channel to the plane's proxy (the gateway, node-a's outbound) calling {@code service}. */
	static ManagedChannel grpcChannel(Plane plane, String service) {
		return io.grpc.Grpc
			.newChannelBuilderForAddress("127.0.0.1", plane == Plane.EDGE ? mesh.gatewayPort : mesh.a.outbound,
					io.grpc.InsecureChannelCredentials.create())
			.overrideAuthority(service)
			.build();
	}

	static HttpClient client(Plane plane, Transport transport, String service) {
		HttpClient client = HttpClient.newConnection()
			.protocol(transport == Transport.H2C ? HttpProtocol.H2C : HttpProtocol.HTTP11)
			.responseTimeout(Duration.ofSeconds(30));
		return plane == Plane.MESH ? client.headers(h -> h.set("host", service)) : client;
	}

	static String url(Plane plane, String path) {
		return "http://127.0.0.1:" + (plane == Plane.EDGE ? mesh.gatewayPort : mesh.a.outbound) + path;
	}

	static Answer http10(Plane plane, String service, String path) {
		return raw(plane, "HTTP/1.0", service, path);
	}

	/** A request written byte for byte: no client library normalises its path first. */
	static Answer raw(Plane plane, String version, String service, String path) {
		int port = plane == Plane.EDGE ? mesh.gatewayPort : mesh.a.outbound;
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " " + version + "\r\nHost: " + (service == null ? "127.0.0.1" : service)
					+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
			int status = Integer.parseInt(all.substring(9, 12));
			int bodyStart = all.indexOf("\r\n\r\n");
			Map<String, String> headers = new java.util.HashMap<>();
			for (String line : all.substring(0, Math.max(bodyStart, 0)).split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0) {
					headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
							line.substring(colon + 1).trim());
				}
			}
			return new Answer(status, bodyStart < 0 ? "" : all.substring(bodyStart + 4), headers.get("x-served-path"),
					headers);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** WARN and ERROR lines in both agents' logs so far. */
	static long agentWarnings() {
		return Stream.of(mesh.agentA, mesh.agentB)
			.flatMap(agent -> agent.log().lines())
			.filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
			.count();
	}

	static long endpointFailures(Plane plane) {
		var endpoints = plane == Plane.EDGE
				? Http.json(mesh.managementUrl("/actuator/mesh")).path("plane").path("gateway").path("endpoints")
				: Http.json(mesh.a.adminUrl("/actuator/mesh")).path("plane").path("agent").path("endpoints");
		long failures = 0;
		for (var endpoint : endpoints.path("contract")) {
			failures += endpoint.path("failures").asLong();
		}
		return failures;
	}

	/** The golden metrics of the calling proxy (gateway or node-a) and of node-b's inbound listener. */
	record Meters(Plane plane, PrometheusScrape caller, PrometheusScrape inbound) {

		static Meters scrape(Plane plane) {
			return new Meters(plane,
					PrometheusScrape.of(plane == Plane.EDGE ? mesh.managementUrl("/actuator/prometheus")
							: mesh.a.adminUrl("/actuator/prometheus")),
					PrometheusScrape.of(mesh.b.adminUrl("/actuator/prometheus")));
		}

		String direction() {
			return plane == Plane.EDGE ? "ingress" : "outbound";
		}

		double caller(String metric, Map<String, String> labels) {
			Map<String, String> all = new java.util.HashMap<>(labels);
			all.put("direction", direction());
			return caller.sum(metric, all);
		}

		double callerTotal() {
			return caller(REQUESTS, Map.of());
		}

		/** The calling proxy's upstream TLS handshakes ({@code meshgate_tls_handshakes_total}). */
		double tlsHandshakes(String outcome, String reason) {
			return caller.sum("meshgate_tls_handshakes_total",
					Map.of("side", "upstream", "outcome", outcome, "reason", reason));
		}

		double active() {
			return caller.sum("meshgate_active_requests", Map.of("direction", direction()));
		}

		double inbound(String metric, Map<String, String> labels) {
			Map<String, String> all = new java.util.HashMap<>(labels);
			all.put("direction", "inbound");
			return inbound.sum(metric, all);
		}

		double inboundTotal() {
			return inbound(REQUESTS, Map.of());
		}
	}
}
