package io.meshgate.proxy.resilience;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.meshgate.model.Retries;
import io.meshgate.model.Retries.RetryOn;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A service's {@code retries}, compiled once per snapshot: which failures of a try are retried, for which methods,
 * how long to wait before the next, and how much request body may be kept to send again. Both transports ask it the
 * same questions through {@link io.meshgate.proxy.core.Exchange#retryAfter}; they only differ in how they resend.
 */
public final class RetryPolicy {

	private final int attempts;

	private final Set<RetryOn> on;

	private final Set<String> methods;

	private final Duration perTryTimeout;

	private final long backoffNanos;

	private final long maxBackoffNanos;

	private final int budgetPercent;

	private final int minPerSecond;

	private final int replayLimit;

	public RetryPolicy(Retries retries) {
		this.attempts = retries.attempts();
		this.on = EnumSet.copyOf(retries.retryOn());
		Set<String> allowed = new HashSet<>(Retries.IDEMPOTENT);
		allowed.addAll(retries.methods());
		this.methods = Set.copyOf(allowed);
		this.perTryTimeout = retries.perTryTimeout();
		this.backoffNanos = retries.backoff().toNanos();
		this.maxBackoffNanos = retries.maxBackoff().toNanos();
		this.budgetPercent = retries.budgetPercent();
		this.minPerSecond = retries.minPerSecond();
		this.replayLimit = (int) retries.replayBuffer().toBytes();
	}

	/** Retries after the first try. */
	public int attempts() {
		return attempts;
	}

	/** Whether a request with this method may be sent more than once. */
	public boolean allows(HttpMethod method) {
		return attempts > 0 && methods.contains(method.name());
	}

	/** Whether {@code reason} is one of the policy's {@code retry-on}. */
	public boolean retriesOn(RetryOn reason) {
		return on.contains(reason);
	}

	/** The deadline of one try's response head, or {@code null} (only the service's timeout). */
	public Duration perTryTimeout() {
		return perTryTimeout;
	}

	/** The most request body bytes kept for a resend. */
	public int replayLimit() {
		return replayLimit;
	}

	public int budgetPercent() {
		return budgetPercent;
	}

	public int minPerSecond() {
		return minPerSecond;
	}

	/** The wait before retry {@code retry} (1 for the first): full jitter below an exponential base. */
	public long backoffNanos(int retry) {
		long base = backoffNanos << Math.min(retry - 1, 20);
		long cap = base <= 0 || base > maxBackoffNanos ? maxBackoffNanos : base;
		return ThreadLocalRandom.current().nextLong(cap + 1);
	}

	/** Why the proxy's own failure of a try may be retried, or {@code null}: not a failure a retry may fix. */
	public RetryOn reasonFor(ProxyError error) {
		RetryOn reason = switch (error.outcome()) {
			case CONNECT_FAILED -> RetryOn.CONNECT_FAILURE;
			case UPSTREAM_RESET -> RetryOn.RESET;
			case TIMEOUT -> RetryOn.TIMEOUT;
			default -> null;
		};
		return reason != null && on.contains(reason) ? reason : null;
	}

	/**
	 * Why an endpoint's answer may be retried, or {@code null}. gRPC answers 200 with its status in a header when a
	 * call fails before any message (trailers-only); a status in the trailers comes after the response started and is
	 * never retried, as in Envoy.
	 */
	public RetryOn reasonFor(int status, HttpHeaders headers) {
		if (status == 503 || (status == 200 && "14".equals(headers.get("grpc-status")))) {
			if (on.contains(RetryOn.UNAVAILABLE)) {
				return RetryOn.UNAVAILABLE;
			}
			return status == 503 && on.contains(RetryOn.GATEWAY_ERROR) ? RetryOn.GATEWAY_ERROR : null;
		}
		return (status == 502 || status == 504) && on.contains(RetryOn.GATEWAY_ERROR) ? RetryOn.GATEWAY_ERROR : null;
	}

	/** The label a retry's reason has in the metrics. */
	public static String label(RetryOn reason) {
		return switch (reason) {
			case CONNECT_FAILURE -> Outcome.CONNECT_FAILED.label();
			case RESET -> Outcome.UPSTREAM_RESET.label();
			case TIMEOUT -> Outcome.TIMEOUT.label();
			case UNAVAILABLE -> "unavailable";
			case GATEWAY_ERROR -> "gateway_error";
		};
	}
}
