package io.meshgate.model;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the calling proxy retries a failed call to a service: on another endpoint when there is one, after an
 * exponential backoff with jitter, within a budget shared by every request to the service, so retries never multiply
 * the load on a service that is failing (Linkerd's retry budget, Envoy's retry policy).
 *
 * @param attempts       retries after the first try (Istio's {@code attempts}); 0 turns retries off
 * @param retryOn        which failures are retried (absent: connect-failure, reset, unavailable)
 * @param perTryTimeout  deadline for each try's response head; absent: only the service's {@code timeout}, which
 *                       covers all tries
 * @param backoff        the first retry's base wait; each next one doubles, up to {@code max-backoff}; the wait is
 *                       picked at random below it (full jitter)
 * @param maxBackoff     the longest base wait
 * @param budgetPercent  retries allowed as a share of the service's requests over the last 10 s
 * @param minPerSecond   retries allowed per second whatever the share, so a quiet service can still retry
 * @param replayBuffer   the largest request body kept to be sent again; a longer one is streamed once and never retried
 * @param methods        methods retried besides the idempotent ones (GET, HEAD, OPTIONS, PUT, DELETE, TRACE), e.g.
 *                       {@code [ POST ]} for a service whose POSTs are idempotent
 */
public record Retries(@DefaultValue("2") int attempts, List<RetryOn> retryOn, Duration perTryTimeout,
		@DefaultValue("25ms") Duration backoff, @DefaultValue("250ms") Duration maxBackoff,
		@DefaultValue("20") int budgetPercent, @DefaultValue("10") int minPerSecond,
		@DefaultValue("64KB") DataSize replayBuffer, List<String> methods) {

	public static final List<RetryOn> DEFAULT_ON = List.of(RetryOn.CONNECT_FAILURE, RetryOn.RESET,
			RetryOn.UNAVAILABLE);

	/** RFC 9110's idempotent methods: sending one twice has the effect of sending it once. */
	public static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

	public Retries {
		retryOn = retryOn == null || retryOn.isEmpty() ? DEFAULT_ON : List.copyOf(retryOn);
		backoff = backoff == null ? Duration.ofMillis(25) : backoff;
		maxBackoff = maxBackoff == null ? Duration.ofMillis(250) : maxBackoff;
		replayBuffer = replayBuffer == null ? DataSize.ofKilobytes(64) : replayBuffer;
		methods = Immutables.list(methods);
	}

	/** What a retry may follow. */
	public enum RetryOn {
		/** the endpoint could not be connected to */
		CONNECT_FAILURE,
		/** the connection or stream was reset or closed before the response head (HTTP/2 refused stream too) */
		RESET,
		/** no response head within {@code per-try-timeout} */
		TIMEOUT,
		/** the endpoint answered 503, or a gRPC status UNAVAILABLE (14) in a trailers-only response */
		UNAVAILABLE,
		/** the endpoint answered 502, 503 or 504 (a proxy in front of it could not reach it) */
		GATEWAY_ERROR
	}
}
