package io.meshgate.model;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the gateways keep the buckets of {@code scope: global} rate limits, and what they do when they cannot reach it.
 *
 * @param redis          the Redis server ({@code redis://host:6379}, {@code rediss://} over TLS)
 * @param timeout        how long a request waits for Redis before Redis counts as failed
 * @param onRedisFailure {@code allow} (fail open: the request goes on, logged and counted) or {@code deny} (503
 *                       {@code rate_limit_unavailable})
 */
public record RateLimiting(URI redis, @DefaultValue("100ms") Duration timeout,
		@DefaultValue("allow") OnFailure onRedisFailure) {

	public RateLimiting {
		timeout = timeout == null ? Duration.ofMillis(100) : timeout;
		onRedisFailure = onRedisFailure == null ? OnFailure.ALLOW : onRedisFailure;
	}

	public enum OnFailure {
		ALLOW, DENY
	}
}
