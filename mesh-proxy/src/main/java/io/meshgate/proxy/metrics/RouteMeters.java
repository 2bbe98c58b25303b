package io.meshgate.proxy.metrics;

import io.meshgate.model.Retries.RetryOn;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.resilience.RetryPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The golden metrics of one (direction, source, route, destination), resolved when a routing snapshot is built, so
 * recording an exchange costs array reads and atomic adds: no tag list, no registry lookup, no allocation. The
 * request counter and the latency histogram of each (status class, outcome) are registered on first use, so only
 * combinations that happened become series.
 */
public final class RouteMeters {

	private static final String[] CODES = { "none", "1xx", "2xx", "3xx", "4xx", "5xx" };

	private static final Outcome[] OUTCOMES = Outcome.values();

	private static final RetryOn[] REASONS = RetryOn.values();

	private final GoldenMetrics metrics;

	private final Tags tags;

	private final String source;

	private final Counter requestBytes;

	private final Counter responseBytes;

	/** by status class x outcome; a benign race on first use registers the same meter twice (Micrometer dedupes) */
	private final Counter[] requests = new Counter[CODES.length * OUTCOMES.length];

	private final Timer[] durations = new Timer[CODES.length * OUTCOMES.length];

	/** by retry reason, and the retries the budget refused in the last slot */
	private final Counter[] retries = new Counter[REASONS.length + 1];

	RouteMeters(GoldenMetrics metrics, String source, Tags tags) {
		this.metrics = metrics;
		this.source = source;
		this.tags = tags;
		this.requestBytes = metrics.requestBytes(tags);
		this.responseBytes = metrics.responseBytes(tags);
	}

	/** The calling side these meters count for: {@code gateway} at the edge, a workload, or {@code unknown}. */
	public String source() {
		return source;
	}

	/** A retry for {@code reason}, or ({@code null}) one the service's retry budget refused. */
	void retried(RetryOn reason) {
		int slot = reason == null ? REASONS.length : reason.ordinal();
		Counter counter = retries[slot];
		if (counter == null) {
			counter = retries[slot] = reason == null ? metrics.budgetExhausted(tags)
					: metrics.retries(tags.and("reason", RetryPolicy.label(reason)));
		}
		counter.increment();
	}

	void record(int status, Outcome outcome, long durationNanos, long bytesIn, long bytesOut) {
		int code = status >= 100 && status < 600 ? status / 100 : 0;
		int slot = code * OUTCOMES.length + outcome.ordinal();
		Counter counter = requests[slot];
		Timer timer = durations[slot];
		if (counter == null || timer == null) {
			Tags full = tags.and("code", CODES[code], "outcome", outcome.label());
			counter = requests[slot] = metrics.requests(full);
			timer = durations[slot] = metrics.duration(full);
		}
		counter.increment();
		timer.record(durationNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
		if (bytesIn > 0) {
			requestBytes.increment(bytesIn);
		}
		if (bytesOut > 0) {
			responseBytes.increment(bytesOut);
		}
	}
}
