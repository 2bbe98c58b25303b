package io.meshgate.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.meshgate.client.AppliedConfig;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;
import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.routing.MatchStep;
import io.meshgate.proxy.routing.RoutingState;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.H2cUpgradeRefusal;
import io.meshgate.proxy.transport.Http10Framing;
import io.meshgate.proxy.transport.limits.UpstreamLimits;
import io.meshgate.proxy.transport.reactor.Forwarder;
import io.meshgate.proxy.transport.relay.Http1Relay;
import io.meshgate.proxy.transport.relay.UpstreamPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * Retries, timeouts, outlier detection, balancing and request limits as a proxy applies them from the model, through
 * both transports (the HTTP/1.1 relay, and reactor-netty, reached over h2c), against real upstreams on loopback that
 * fail on purpose: each failing path fails the first time a key is seen (on either endpoint) and serves after.
 */
class ResilienceTransportTest {

	enum Transport {
		RELAY, REACTOR
	}

	private static final int CLOSED = closedPort();

	private static DisposableServer a;

	private static DisposableServer b;

	/** the mirror service's endpoint: records the copies it gets */
	private static DisposableServer shadow;

	private static final java.util.Queue<String> shadowed = new java.util.concurrent.ConcurrentLinkedQueue<>();

	private static DisposableServer proxy;

	private static ConnectionProvider connections;

	private static UpstreamPool pool;

	private static RoutingState state;

	private static final MeterRegistry registry = new SimpleMeterRegistry();

	/** keys a failing path has failed for already */
	private static final Set<String> failed = ConcurrentHashMap.newKeySet();

	/** tries each key reached an endpoint with */
	private static final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();

	private static final Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();

	private static volatile Mono<Void> hold = Mono.empty();

	private static final AtomicInteger keys = new AtomicInteger();

	@BeforeAll
	static void start() {
		a = upstream("a");
		b = upstream("b");
		shadow = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> {
				shadowed.add(request.method() + " " + request.uri() + " host=" + request.requestHeaders().get("host")
						+ " shadow=" + request.requestHeaders().get("x-meshgate-shadow"));
				return response.sendString(request.uri().startsWith("/slow")
						? Mono.delay(Duration.ofSeconds(3)).map(t -> "late") : Mono.just("copy"));
			})
			.bindNow();
		String both = "[ http://127.0.0.1:" + a.port() + ", http://127.0.0.1:" + b.port() + " ]";
		MeshConfig config = MeshConfigLoader.load(List.of(YamlConfigFiles.parse("""
				mesh:
				  services:
				    flaky:
				      timeout: 2s
				      endpoints: %1$s
				      load-balancer: round-robin
				      retries: { attempts: 2, retry-on: [ connect-failure, reset, unavailable, timeout ], per-try-timeout: 300ms, backoff: 5ms, methods: [ POST ] }
				    bounded:
				      timeout: 500ms
				      endpoints: %1$s
				      retries: { attempts: 10, retry-on: [ timeout ], per-try-timeout: 200ms, backoff: 5ms }
				    once:
				      endpoints: %1$s
				    idempotent-only:
				      endpoints: %1$s
				      retries: { backoff: 5ms }
				    small-replay:
				      endpoints: %1$s
				      retries: { backoff: 5ms, replay-buffer: 1KB, methods: [ POST ] }
				    stingy:
				      endpoints: %1$s
				      retries: { backoff: 1ms, budget-percent: 0, min-per-second: 1 }
				    half-down:
				      endpoints: [ http://127.0.0.1:%2$d, http://127.0.0.1:%3$d ]
				      retries: { backoff: 1ms }
				      outlier-detection: { consecutive-failures: 3, base-ejection-time: 1s }
				    turns:
				      endpoints: %1$s
				      load-balancer: round-robin
				    limited:
				      endpoints: %1$s
				      max-requests: 1
				    shadow:
				      endpoints: [ http://127.0.0.1:%4$d ]
				    nowhere:
				      endpoints: [ http://127.0.0.1:%2$d ]
				    streaming:
				      timeout: 1s
				      idle-timeout: 400ms
				      endpoints: %1$s
				  routes:
				    - id: abort-all
				      match: { service: turns, headers: { x-fault: abort } }
				      to: turns
				      fault: { abort: { percent: 100, status: 418 } }
				    - id: abort-half
				      match: { service: turns, headers: { x-fault: half } }
				      to: turns
				      fault: { abort: { percent: 50 } }
				    - id: delay-all
				      match: { service: turns, headers: { x-fault: delay } }
				      to: turns
				      fault: { delay: { percent: 100, duration: 300ms } }
				    - id: mirrored
				      match: { service: turns, headers: { x-mirror: "yes" } }
				      to: turns
				      mirror: { service: shadow }
				    - id: mirrored-nowhere
				      match: { service: turns, headers: { x-mirror: "down" } }
				      to: turns
				      mirror: { service: nowhere }
				""".formatted(both, CLOSED, a.port(), shadow.port()), "application.yml"))).config();
		GoldenMetrics metrics = new GoldenMetrics(registry);
		state = new RoutingState(Direction.OUTBOUND, metrics, "test",
				model -> MatchStep.compile(model, metrics, Direction.OUTBOUND, "test"));
		state.apply(new AppliedConfig("v1", List.of(), config, Instant.now(), AppliedConfig.Origin.CONTROL_PLANE));
		connections = ConnectionProvider.create("resilience-test", 16);
		UpstreamTls tls = UpstreamTls.of(null);
		Forwarder forwarder = new Forwarder(connections, Duration.ofSeconds(1), null, tls, null);
		state.mirrorWith(forwarder);
		pool = new UpstreamPool(Duration.ofSeconds(1), 8, Duration.ofSeconds(30), tls, null, UpstreamLimits.DEFAULTS, 1);
		proxy = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.doOnChannelInit((observer, channel, remote) -> {
				H2cUpgradeRefusal.install(channel);
				Http10Framing.install(channel);
				channel.pipeline()
					.addBefore(NettyPipeline.HttpTrafficHandler, "relay", new Http1Relay(state::pipeline, pool));
			})
			.handle((request, response) -> forwarder.handle(request, response, state.pipeline()))
			.bindNow();
	}

	/** An endpoint: {@code /echo}, a body's digest, and paths that fail the first time their key is seen. */
	private static DisposableServer upstream(String name) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.route(routes -> routes.get("/echo", (request, response) -> served(name, response).sendString(Mono.just(name)))
				// a body that streams in parts 100 ms apart, or stalls for 3 s after its first part
				.get("/trickle", (request, response) -> served(name, response)
					.sendString(Flux.interval(Duration.ofMillis(100)).take(10).map(i -> "part" + i + ";")))
				.get("/stall", (request, response) -> served(name, response)
					.sendString(Flux.concat(Mono.just("part0;"), Mono.delay(Duration.ofSeconds(3)).map(t -> "late;"))))
				.get("/hold", (request, response) -> hold.then(served(name, response).sendString(Mono.just(name)).then()))
				.get("/reset-once/{key}",
						(request, response) -> firstTime(request) ? reset(response)
								: served(name, response).sendString(Mono.just(name)))
				.get("/unavailable-once/{key}", (request, response) -> firstTime(request)
						? response.status(503).sendString(Mono.just("unavailable"))
						: served(name, response).sendString(Mono.just(name)))
				.get("/slow-once/{key}", (request, response) -> served(name, response)
					.sendString(firstTime(request) ? Mono.delay(Duration.ofSeconds(3)).map(t -> "late")
							: Mono.just(name)))
				.get("/slow/{key}", (request, response) -> {
					firstTime(request);
					return served(name, response).sendString(Mono.delay(Duration.ofSeconds(3)).map(t -> "late"));
				})
				.get("/always-unavailable/{key}", (request, response) -> {
					firstTime(request);
					return response.status(503).sendString(Mono.just("unavailable"));
				})
				.post("/digest-reset-once/{key}", (request, response) -> request.receive()
					.aggregate()
					.asByteArray()
					.flatMap(body -> firstTime(request) ? reset(response).then()
							: served(name, response).sendString(Mono.just(sha256(body))).then())))
			.bindNow();
	}

	private static HttpServerResponse served(String name, HttpServerResponse response) {
		servedBy.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
		return response.header("x-served-by", name);
	}

	private static boolean firstTime(HttpServerRequest request) {
		String key = request.param("key");
		tries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
		return failed.add(key);
	}

	private static Mono<Void> reset(HttpServerResponse response) {
		return response.withConnection(connection -> connection.channel().close()).then();
	}

	@AfterAll
	static void stop() {
		proxy.disposeNow();
		a.disposeNow();
		b.disposeNow();
		shadow.disposeNow();
		connections.dispose();
		pool.close();
	}

	@BeforeEach
	void clear() {
		servedBy.clear();
	}

	private static String key() {
		return "k" + keys.incrementAndGet();
	}

	private record Answer(int status, String body, String servedBy, Duration took) {
	}

	private static HttpClient client(Transport transport) {
		HttpClient client = HttpClient.create().host("127.0.0.1").port(proxy.port());
		return transport == Transport.REACTOR ? client.protocol(HttpProtocol.H2C) : client;
	}

	private static Answer get(Transport transport, String service, String path) {
		return get(transport, service, path, Map.of());
	}

	private static Answer get(Transport transport, String service, String path, Map<String, String> headers) {
		long start = System.nanoTime();
		return client(transport).headers(h -> h.set("host", service))
			.headers(h -> headers.forEach(h::set))
			.get()
			.uri(path)
			.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), text, response.responseHeaders().get("x-served-by"),
						Duration.ofNanos(System.nanoTime() - start))))
			.block(Duration.ofSeconds(10));
	}

	private static Answer post(Transport transport, String service, String path, byte[] body) {
		long start = System.nanoTime();
		return client(transport).headers(h -> h.set("host", service))
			.post()
			.uri(path)
			.send(Mono.just(Unpooled.wrappedBuffer(body)))
			.responseSingle((response, text) -> text.asString()
				.defaultIfEmpty("")
				.map(value -> new Answer(response.status().code(), value, response.responseHeaders().get("x-served-by"),
						Duration.ofNanos(System.nanoTime() - start))))
			.block(Duration.ofSeconds(10));
	}

	private static double counter(String name, String... tags) {
		var search = registry.find(name).tags(tags);
		return search.counter() == null ? 0 : search.counters().stream().mapToDouble(c -> c.count()).sum();
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aResetTryIsSentAgainToTheOtherEndpoint(Transport transport) {
		double before = counter("meshgate.request.retries", "destination", "flaky", "reason", "upstream_reset");
		String key = key();

		Answer answer = get(transport, "flaky", "/reset-once/" + key);

		assertThat(answer.status).as(answer.body).isEqualTo(200);
		assertThat(tries.get(key)).hasValue(2);
		assertThat(counter("meshgate.request.retries", "destination", "flaky", "reason", "upstream_reset") - before)
			.isEqualTo(1);
		// the exchange is counted once, as a success, when it ends (just after the caller has the answer)
		await().atMost(Duration.ofSeconds(2))
			.until(() -> counter("meshgate.requests", "destination", "flaky", "code", "2xx", "outcome", "success") > 0);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aServiceAnswering503IsTriedAgainAndTheCallerSeesOnlyTheGoodAnswer(Transport transport) {
		String key = key();

		Answer answer = get(transport, "flaky", "/unavailable-once/" + key);

		assertThat(answer.status).isEqualTo(200);
		assertThat(answer.body).isIn("a", "b");
		assertThat(tries.get(key)).hasValue(2);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aSlowTryIsAbandonedAtThePerTryTimeoutAndTheNextOneAnswers(Transport transport) {
		String key = key();

		Answer answer = get(transport, "flaky", "/slow-once/" + key);

		assertThat(answer.status).isEqualTo(200);
		assertThat(answer.took).isLessThan(Duration.ofMillis(1500));
		assertThat(tries.get(key)).hasValue(2);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void theServiceTimeoutCoversEveryTry(Transport transport) {
		String key = key();

		Answer answer = get(transport, "bounded", "/slow/" + key);

		assertThat(answer.status).isEqualTo(504);
		assertThat(answer.body).contains("timeout");
		assertThat(answer.took).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
		assertThat(tries.get(key).get()).as("tries of 200 ms within 500 ms").isBetween(2, 3);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aPostIsRetriedWithItsWholeBodyWhenTheServiceAllowsIt(Transport transport) {
		byte[] body = new byte[32 * 1024];
		new Random(3).nextBytes(body);
		String key = key();

		Answer answer = post(transport, "flaky", "/digest-reset-once/" + key, body);

		assertThat(answer.status).as(answer.body).isEqualTo(200);
		assertThat(answer.body).isEqualTo(sha256(body));
		assertThat(tries.get(key)).hasValue(2);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aPostIsNotRetriedUnlessAllowedNorABodyLongerThanTheReplayBuffer(Transport transport) {
		String key = key();
		Answer notAllowed = post(transport, "idempotent-only", "/digest-reset-once/" + key, new byte[100]);
		assertThat(notAllowed.status).isEqualTo(502);
		assertThat(notAllowed.body).contains("upstream_reset");
		assertThat(tries.get(key)).hasValue(1);

		String longer = key();
		Answer tooLong = post(transport, "small-replay", "/digest-reset-once/" + longer, new byte[4096]);
		assertThat(tooLong.status).isEqualTo(502);
		assertThat(tries.get(longer)).hasValue(1);

		String shorter = key();
		Answer fits = post(transport, "small-replay", "/digest-reset-once/" + shorter, new byte[512]);
		assertThat(fits.status).isEqualTo(200);
		assertThat(fits.body).isEqualTo(sha256(new byte[512]));
		assertThat(tries.get(shorter)).hasValue(2);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void withoutARetryPolicyAFailedTryIsAnswered(Transport transport) {
		String key = key();
		Answer answer = get(transport, "once", "/reset-once/" + key);
		assertThat(answer.status).isEqualTo(502);
		assertThat(tries.get(key)).hasValue(1);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void attemptsAreBoundedAndTheLastAnswerIsRelayed(Transport transport) {
		String key = key();
		Answer answer = get(transport, "flaky", "/always-unavailable/" + key);
		assertThat(answer.status).isEqualTo(503);
		assertThat(answer.body).isEqualTo("unavailable");
		assertThat(tries.get(key)).as("the first try and 2 retries").hasValue(3);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void theBudgetStopsRetriesWhenTheWholeServiceFails(Transport transport) {
		double retried = counter("meshgate.request.retries", "destination", "stingy");
		double refused = counter("meshgate.retry.budget.exhausted", "destination", "stingy");
		int calls = 0;
		for (int i = 0; i < 30; i++) {
			String key = key();
			assertThat(get(transport, "stingy", "/always-unavailable/" + key).status).isEqualTo(503);
			calls += tries.get(key).get();
		}
		double retries = counter("meshgate.request.retries", "destination", "stingy") - retried;
		// at most 1 a second over 10 s (the budget is shared by both transports' runs: at most 10 in all)
		assertThat(retries).isLessThanOrEqualTo(10);
		assertThat(calls).isEqualTo(30 + (int) retries);
		assertThat(counter("meshgate.retry.budget.exhausted", "destination", "stingy") - refused)
			.isGreaterThanOrEqualTo(20);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void anEndpointThatRefusesConnectionsIsEjectedAndNoCallFails(Transport transport) {
		EndpointStats down = state.current()
			.service("half-down")
			.endpoints()
			.stream()
			.filter(e -> e.address().endsWith(":" + CLOSED))
			.findFirst()
			.orElseThrow();
		await().atMost(Duration.ofSeconds(5)).until(() -> !down.ejected(down.now())); // the other transport's
		double ejections = counter("meshgate.endpoint.ejections", "destination", "half-down");
		for (int i = 0; i < 40; i++) {
			assertThat(get(transport, "half-down", "/echo").status).isEqualTo(200);
		}
		assertThat(down.ejected(down.now())).isTrue();
		assertThat(counter("meshgate.endpoint.ejections", "destination", "half-down") - ejections).isEqualTo(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> !down.ejected(down.now()));
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void roundRobinTakesEachEndpointInTurn(Transport transport) {
		for (int i = 0; i < 20; i++) {
			assertThat(get(transport, "turns", "/echo").status).isEqualTo(200);
		}
		assertThat(servedBy.get("a")).hasValue(10);
		assertThat(servedBy.get("b")).hasValue(10);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void beyondMaxRequestsACallIsAnsweredOverloadedAtOnce(Transport transport) {
		reactor.core.publisher.Sinks.Empty<Void> release = reactor.core.publisher.Sinks.empty();
		hold = release.asMono();
		var first = Mono.fromCallable(() -> get(transport, "limited", "/hold"))
			.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
			.toFuture();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> registry.find("meshgate.active.requests").tag("direction", "outbound").gauge().value() >= 1);
		Answer second = get(transport, "limited", "/echo");
		assertThat(second.status).isEqualTo(503);
		assertThat(second.body).contains("overloaded");
		release.tryEmitEmpty();
		hold = Mono.empty();
		assertThat(first.join().status).isEqualTo(200);
		assertThat(get(transport, "limited", "/echo").status).isEqualTo(200);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aRoutesFaultsAbortOrDelayTheirShareOfRequests(Transport transport) {
		Answer aborted = get(transport, "turns", "/echo", Map.of("x-fault", "abort"));
		assertThat(aborted.status).isEqualTo(418);
		assertThat(aborted.body).contains("\"error\":\"fault\"").contains("fault injected by route 'abort-all'");
		assertThat(servedBy).as("an aborted request reaches no endpoint").isEmpty();
		await().atMost(Duration.ofSeconds(2))
			.until(() -> counter("meshgate.requests", "route", "abort-all", "code", "4xx", "outcome", "fault") > 0);

		Answer delayed = get(transport, "turns", "/echo", Map.of("x-fault", "delay"));
		assertThat(delayed.status).isEqualTo(200);
		assertThat(delayed.took).isGreaterThanOrEqualTo(Duration.ofMillis(300));

		int failed = 0;
		for (int i = 0; i < 200; i++) {
			if (get(transport, "turns", "/echo", Map.of("x-fault", "half")).status == 503) {
				failed++;
			}
		}
		assertThat(failed).isBetween(60, 140);
		assertThat(get(transport, "turns", "/echo").status).as("other requests untouched").isEqualTo(200);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aResponseThatStallsPastTheIdleTimeoutIsCutAndOneThatTricklesIsNot(Transport transport) {
		Answer trickled = get(transport, "streaming", "/trickle");
		assertThat(trickled.status).isEqualTo(200);
		assertThat(trickled.body).as("1 s of parts 100 ms apart, past the 1 s timeout too").endsWith("part9;");

		double before = counter("meshgate.requests", "destination", "streaming", "outcome", "timeout");
		long start = System.nanoTime();
		Throwable cut = org.assertj.core.api.Assertions.catchThrowable(() -> client(transport)
			.headers(h -> h.set("host", "streaming"))
			.get()
			.uri("/stall")
			.responseContent()
			.aggregate()
			.asString()
			.block(Duration.ofSeconds(10)));
		assertThat(cut).as("the caller's response is cut, never completed").isNotNull();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
		await().atMost(Duration.ofSeconds(2))
			.until(() -> counter("meshgate.requests", "destination", "streaming", "outcome", "timeout") > before);
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void aMirroredRouteSendsACopyThatNeverDelaysOrFailsTheRequest(Transport transport) {
		shadowed.clear();
		Answer answer = get(transport, "turns", "/echo?n=1", Map.of("x-mirror", "yes"));
		assertThat(answer.status).isEqualTo(200);
		assertThat(answer.body).isIn("a", "b");
		await().atMost(Duration.ofSeconds(2)).until(() -> !shadowed.isEmpty());
		assertThat(shadowed).containsExactly("GET /echo?n=1 host=127.0.0.1:" + shadow.port() + " shadow=true");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> counter("meshgate.mirror.requests", "route", "mirrored", "outcome", "sent") > 0);

		Answer notWaited = get(transport, "turns", "/slow-shadow-but-echo", Map.of("x-mirror", "yes"));
		assertThat(notWaited.took).as("the copy's 3 s answer is nobody's wait").isLessThan(Duration.ofMillis(1000));

		double failed = counter("meshgate.mirror.requests", "route", "mirrored-nowhere", "outcome", "failed");
		assertThat(get(transport, "turns", "/echo", Map.of("x-mirror", "down")).status).isEqualTo(200);
		await().atMost(Duration.ofSeconds(3)).until(
				() -> counter("meshgate.mirror.requests", "route", "mirrored-nowhere", "outcome", "failed") > failed);

		double skipped = counter("meshgate.mirror.requests", "route", "mirrored", "outcome", "skipped");
		shadowed.clear();
		assertThat(client(transport).headers(h -> h.set("host", "turns").set("x-mirror", "yes"))
			.post()
			.uri("/digest-reset-once/never-" + transport)
			.send(Mono.just(Unpooled.wrappedBuffer(new byte[10])))
			.response()
			.block(Duration.ofSeconds(5))
			.status()
			.code()).isIn(200, 502);
		assertThat(counter("meshgate.mirror.requests", "route", "mirrored", "outcome", "skipped") - skipped)
			.as("a request with a body is not copied")
			.isEqualTo(1);
		assertThat(shadowed).isEmpty();
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String sha256(byte[] body) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
