package io.meshgate.proxy.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.meshgate.model.Retries.RetryOn;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One metric family for both planes and every transport, as an exchange observer:
 * <ul>
 * <li>{@code meshgate_requests_total} and {@code meshgate_request_duration_seconds} (a histogram with fixed buckets,
 * no client-side percentiles) labelled {@code direction, source, route, destination, code, outcome};</li>
 * <li>{@code meshgate_request_body_bytes_total}, {@code meshgate_response_body_bytes_total} labelled
 * {@code direction, source, route, destination};</li>
 * <li>{@code meshgate_active_requests} per direction;</li>
 * <li>{@code meshgate_request_retries_total} by {@code reason} and {@code meshgate_retry_budget_exhausted_total},
 * labelled like the requests; {@code meshgate_endpoint_ejections_total} labelled {@code direction, destination}.</li>
 * </ul>
 * Labels are bounded by the config: route ids and service names from the model, never paths, ids or addresses.
 */
public final class GoldenMetrics implements ExchangeObserver {

	/** SLO-friendly latency buckets, the same on every proxy so histograms aggregate across the mesh. */
	static final Duration[] BUCKETS = { ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
			ms(1000), ms(2500), ms(5000), ms(10000), ms(30000) };

	private final MeterRegistry registry;

	private final Map<String, RouteMeters> resolved = new ConcurrentHashMap<>();

	private final AtomicInteger[] active = new AtomicInteger[Direction.values().length];

	public GoldenMetrics(MeterRegistry registry) {
		this.registry = registry;
		for (Direction direction : Direction.values()) {
			AtomicInteger count = new AtomicInteger();
			active[direction.ordinal()] = count;
			Gauge.builder("meshgate.active.requests", count, AtomicInteger::get)
				.tag("direction", direction.label())
				.description("Requests in flight through this proxy")
				.register(registry);
		}
	}

	/** Where these and the proxy's other meters register. */
	public MeterRegistry registry() {
		return registry;
	}

	/** Records nothing anyone reads: for tests and tools that need a pipeline without a registry. */
	public static GoldenMetrics none() {
		return new GoldenMetrics(new SimpleMeterRegistry());
	}

	/**
	 * The meters of one (direction, source, route, destination): called when a snapshot is built, never per request;
	 * the same object comes back for the same labels, so snapshots share them.
	 */
	public RouteMeters meters(Direction direction, String source, String route, String destination) {
		String key = direction.label() + '\u0000' + source + '\u0000' + route + '\u0000' + destination;
		return resolved.computeIfAbsent(key, k -> new RouteMeters(this, source, Tags.of("direction", direction.label(),
				"source", source, "route", route, "destination", destination)));
	}

	@Override
	public void begun(Exchange exchange) {
		active[exchange.head().direction().ordinal()].incrementAndGet();
	}

	@Override
	public void retrying(Exchange exchange, RetryOn reason) {
		exchange.meters().retried(reason);
	}

	@Override
	public void ended(Exchange exchange) {
		active[exchange.head().direction().ordinal()].decrementAndGet();
		exchange.meters()
			.record(exchange.status(), exchange.outcome(), exchange.durationNanos(), exchange.requestBytes(),
					exchange.responseBytes());
	}

	Counter requests(Tags tags) {
		return Counter.builder("meshgate.requests").tags(tags).description("Requests through this proxy").register(registry);
	}

	Timer duration(Tags tags) {
		return Timer.builder("meshgate.request.duration")
			.tags(tags)
			.serviceLevelObjectives(BUCKETS)
			.description("From the request head to the end of the response")
			.register(registry);
	}

	Counter retries(Tags tags) {
		return Counter.builder("meshgate.request.retries")
			.tags(tags)
			.description("Tries sent again after a failure, by reason")
			.register(registry);
	}

	Counter budgetExhausted(Tags tags) {
		return Counter.builder("meshgate.retry.budget.exhausted")
			.tags(tags)
			.description("Failed tries not retried because the service's retry budget was spent")
			.register(registry);
	}

	/** Ejections of the service's endpoints by outlier detection: asked once per service, when a table is built. */
	public Counter ejections(Direction direction, String service) {
		return Counter.builder("meshgate.endpoint.ejections")
			.tags("direction", direction.label(), "destination", service)
			.description("Endpoints taken out of balancing by outlier detection")
			.register(registry);
	}

	Counter requestBytes(Tags tags) {
		return Counter.builder("meshgate.request.body")
			.baseUnit("bytes")
			.tags(tags)
			.description("Request body bytes received from callers")
			.register(registry);
	}

	Counter responseBytes(Tags tags) {
		return Counter.builder("meshgate.response.body")
			.baseUnit("bytes")
			.tags(tags)
			.description("Response body bytes sent to callers")
			.register(registry);
	}

	private static Duration ms(double millis) {
		return Duration.ofNanos((long) (millis * 1_000_000));
	}
}
