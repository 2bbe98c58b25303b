package io.meshgate.proxy.ratelimit;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Requests whose shared rate limit could not be checked: counted by what was done with them
 * ({@code meshgate_rate_limit_store_failures_total{action="allowed"|"denied"}}) and logged at WARN, at most once every
 * 10 seconds with the number left out, so an outage of the store cannot flood the log.
 */
public final class StoreFailures {

	private static final Log logger = LogFactory.getLog(StoreFailures.class);

	private static final long LOG_EVERY_NANOS = 10_000_000_000L;

	private final Counter allowed;

	private final Counter denied;

	private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

	private final AtomicLong unlogged = new AtomicLong();

	public StoreFailures(MeterRegistry registry) {
		this.allowed = counter(registry, "allowed");
		this.denied = counter(registry, "denied");
	}

	private static Counter counter(MeterRegistry registry, String action) {
		return Counter.builder("meshgate.rate.limit.store.failures")
			.tag("action", action)
			.description("Requests whose shared rate limit could not be checked (Redis down or slow), by what was done")
			.register(registry);
	}

	void failed(String limit, boolean allow, Throwable failure) {
		(allow ? allowed : denied).increment();
		long now = System.nanoTime();
		long last = lastLogged.get();
		if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) {
			unlogged.incrementAndGet();
			return;
		}
		Throwable cause = failure.getCause() != null && !(failure instanceof TimeoutException) ? failure.getCause()
				: failure;
		logger.warn("rate limit store unavailable for " + limit + " (" + (cause instanceof TimeoutException
				? "no answer in time" : cause.toString()) + "): requests are " + (allow ? "allowed" : "denied")
				+ " meanwhile; " + unlogged.getAndSet(0) + " more since the last line");
	}
}
