package io.meshgate.proxy.ratelimit;

import java.util.function.Supplier;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigSync;

/**
 * The services' rate limits of the config an agent applies now, for its inbound listener: compiled once per config,
 * buckets carried over while a limit's settings stay the same.
 */
public final class AppliedRateLimits implements ConfigSync.Listener, Supplier<RateLimits> {

	private final StoreFailures failures;

	private volatile RateLimits current = RateLimits.NONE;

	public AppliedRateLimits(StoreFailures failures) {
		this.failures = failures;
	}

	@Override
	public synchronized void applied(AppliedConfig config) {
		current = RateLimits.compile(config.model(), current, null, failures);
	}

	@Override
	public RateLimits get() {
		return current;
	}
}
