package io.meshgate.proxy.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.meshgate.model.RateLimit;
import io.meshgate.model.RateLimiting;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Verdict;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A limit every gateway counts together, in {@link SharedBuckets}: a late answer, so no event loop waits for Redis.
 * When the store does not answer within {@code mesh.rate-limiting.timeout} or fails, the request goes on (fail open,
 * the default) or is answered 503 {@code rate_limit_unavailable} (fail closed), and {@link StoreFailures} counts and logs
 * it. The bucket's name carries the limit's settings, so a changed limit starts with fresh buckets.
 */
final class SharedLimiter extends Limiter {

	private final SharedBuckets store;

	private final RateLimiting settings;

	private final StoreFailures failures;

	private final String prefix;

	private final ProxyError unavailable;

	SharedLimiter(String id, String name, RateLimit spec, SharedBuckets store, RateLimiting settings,
			StoreFailures failures) {
		super(id, name, spec);
		this.store = store;
		this.settings = settings;
		this.failures = failures;
		this.prefix = "meshgate:rate-limit:" + id + ":" + spec.requests() + "/" + spec.per().toMillis() + "ms/"
				+ spec.capacity() + ":";
		this.unavailable = new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.RATE_LIMIT_UNAVAILABLE,
				name + " cannot be checked against its rate limit now", "the rate limit store did not answer");
	}

	@Override
	Verdict check(Exchange exchange) {
		CompletableFuture<Verdict> verdict;
		try {
			verdict = store.tryConsume(prefix + key.apply(exchange), configuration)
				.orTimeout(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)
				.handle((probe, failure) -> failure != null ? failed(failure)
						: probe.isConsumed() ? Verdict.NEXT : refused(probe));
		}
		catch (RuntimeException failure) { // a client that refuses at once (disconnected, rejecting commands)
			return failed(failure);
		}
		return Verdict.later(verdict);
	}

	private Verdict failed(Throwable failure) {
		boolean allow = settings.onRedisFailure() == RateLimiting.OnFailure.ALLOW;
		failures.failed(name, allow, failure);
		return allow ? Verdict.NEXT : unavailable;
	}
}
