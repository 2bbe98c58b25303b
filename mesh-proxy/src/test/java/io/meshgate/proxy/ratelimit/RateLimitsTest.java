package io.meshgate.proxy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.bucket4j.ConsumptionProbe;
import io.meshgate.client.AppliedConfig;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;
import io.meshgate.proxy.core.Decision;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Protocol;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.RequestHead;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.routing.MatchStep;
import io.meshgate.proxy.routing.RoutingState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Rate limits as the pipeline applies them (what a transport then writes is the contract suite's): buckets per key,
 * the 429 and its fields, buckets carried across commits, and a shared store that fails.
 */
class RateLimitsTest {

	private static final String SERVICES = """
			mesh:
			  services:
			    orders:
			      endpoints: [ http://127.0.0.1:9 ]
			""";

	private static MeshConfig config(String yaml) {
		var result = MeshConfigLoader.load(List.of(YamlConfigFiles.parse(yaml, "application.yml")));
		assertThat(result.errors()).isEmpty();
		return result.config();
	}

	private static MeshConfig limited(int requests, String key) {
		return config(SERVICES + """
				  routes:
				    - id: orders-limited
				      match: { service: orders }
				      to: orders
				      rate-limit: { requests: %d, per: 1h, key: "%s" }
				""".formatted(requests, key));
	}

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final GoldenMetrics metrics = new GoldenMetrics(registry);

	private final RoutingState state = new RoutingState(Direction.OUTBOUND, metrics, "test",
			model -> MatchStep.compile(model, metrics, Direction.OUTBOUND, "test"));

	private void apply(MeshConfig config) {
		state.apply(new AppliedConfig("v" + config.hashCode(), List.of(), config, Instant.now(),
				AppliedConfig.Origin.CONTROL_PLANE));
	}

	/** The pipeline's decision for a call to orders with these headers: FORWARD, or the answer's status. */
	private Object decide(String... headers) {
		HttpHeaders all = new DefaultHttpHeaders().set("host", "orders");
		for (int i = 0; i < headers.length; i += 2) {
			all.set(headers[i], headers[i + 1]);
		}
		Pipeline pipeline = state.pipeline();
		Exchange exchange = pipeline
			.exchange(RequestHead.of(Direction.OUTBOUND, Protocol.HTTP_1_1, HttpMethod.GET, "/x", all, null));
		Decision decision = pipeline.decide(exchange, Runnable::run);
		if (decision == Decision.PENDING) {
			decision = exchange.decided().join();
		}
		return decision == Decision.FORWARD ? "forward" : exchange.answer();
	}

	@Test
	void eachKeyHasItsBucketAndARequestOverTheLimitGets429WithItsFields() {
		apply(limited(2, "header:x-user"));

		assertThat(decide("x-user", "ann")).isEqualTo("forward");
		assertThat(decide("x-user", "ann")).isEqualTo("forward");
		ProxyError refused = (ProxyError) decide("x-user", "ann");
		assertThat(decide("x-user", "bob")).as("another key, another bucket").isEqualTo("forward");
		assertThat(decide()).as("no header: the bucket of requests without one").isEqualTo("forward");

		assertThat(refused.status().code()).isEqualTo(429);
		assertThat(refused.outcome().label()).isEqualTo("rate_limited");
		assertThat(refused.message())
			.isEqualTo("route 'orders-limited' takes 2 requests per 1 h for each header:x-user: retry after 1800 s");
		assertThat(refused.headers()).containsEntry("Retry-After", "1800")
			.containsEntry("RateLimit-Policy", "\"orders-limited\";q=2;w=3600")
			.containsEntry("RateLimit", "\"orders-limited\";r=0;t=1800");
	}

	@Test
	void aCommitThatKeepsTheLimitKeepsItsBucketsAndOneThatChangesItStartsAfresh() {
		apply(limited(1, "none"));
		assertThat(decide()).isEqualTo("forward");
		assertThat(decide()).isInstanceOf(ProxyError.class);

		apply(config(SERVICES + """
				  routes:
				    - id: orders-limited
				      match: { service: orders }
				      to: orders
				      rate-limit: { requests: 1, per: 1h }
				    - id: unrelated
				      match: { service: orders, path-prefix: /other }
				      to: orders
				"""));
		assertThat(decide()).as("same limit, another commit: still spent").isInstanceOf(ProxyError.class);

		apply(limited(2, "none"));
		assertThat(decide()).as("a changed limit starts with a full bucket").isEqualTo("forward");
	}

	@Test
	void aSharedStoreThatFailsLetsRequestsThroughOrRefusesThemAsConfiguredAndCountsThem() {
		AtomicInteger calls = new AtomicInteger();
		SharedBuckets down = (key, configuration) -> {
			calls.incrementAndGet();
			return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
		};
		SharedBuckets silent = (key, configuration) -> new CompletableFuture<ConsumptionProbe>();
		String global = SERVICES + """
				  rate-limiting: { redis: "redis://127.0.0.1:1", timeout: 50ms, on-redis-failure: %s }
				  routes:
				    - id: orders-global
				      ingress: { path: /orders/** }
				      to: orders
				      rate-limit: { requests: 1, per: 1h, scope: global }
				""";
		StoreFailures failures = new StoreFailures(registry);
		RateLimits open = RateLimits.compile(config(global.formatted("allow")), RateLimits.NONE, down, failures);
		RateLimits closed = RateLimits.compile(config(global.formatted("deny")), RateLimits.NONE, silent, failures);

		assertThat(check(open)).isEqualTo("forward");
		assertThat(check(open)).isEqualTo("forward");
		assertThat(calls).hasValue(2);
		Object refused = check(closed);
		assertThat(refused).isInstanceOf(ProxyError.class);
		assertThat(((ProxyError) refused).status().code()).isEqualTo(503);
		assertThat(((ProxyError) refused).outcome().label()).isEqualTo("rate_limit_unavailable");
		assertThat(registry.get("meshgate.rate.limit.store.failures").tag("action", "allowed").counter().count())
			.isEqualTo(2);
		assertThat(registry.get("meshgate.rate.limit.store.failures").tag("action", "denied").counter().count())
			.isEqualTo(1);

		RateLimits agent = RateLimits.compile(config(global.formatted("allow")), RateLimits.NONE, null, failures);
		assertThat(agent.hasRouteLimits()).as("a proxy without a store keeps no global limit").isFalse();
	}

	/** The route limit of {@code limits} applied to one exchange of route orders-global. */
	private static Object check(RateLimits limits) {
		Exchange exchange = new Pipeline(Direction.INGRESS, List.of(), io.meshgate.proxy.core.ExchangeObserver.NONE,
				GoldenMetrics.none().meters(Direction.INGRESS, "gateway", "default", "unknown"))
			.exchange(RequestHead.of(Direction.INGRESS, Protocol.HTTP_1_1, HttpMethod.GET, "/orders/1",
					new DefaultHttpHeaders().set("host", "edge"), null));
		exchange.route("orders-global", List.of());
		var verdict = RateLimitStep.forRoutes(limits).apply(exchange);
		if (verdict instanceof io.meshgate.proxy.core.Verdict.Later later) {
			verdict = later.stage().toCompletableFuture().join();
		}
		return verdict == io.meshgate.proxy.core.Verdict.NEXT ? "forward" : verdict;
	}
}
