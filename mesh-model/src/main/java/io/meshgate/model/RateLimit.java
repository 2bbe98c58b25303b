package io.meshgate.model;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A token bucket: {@code requests} per {@code per}, with room for bursts of {@code burst}, one bucket per value of
 * {@code key}. On a route it is kept by the proxy serving the route (the gateway for an ingress, the caller's agent
 * east-west); on a service by the agent in front of each of its workloads, for every caller. A request over the limit
 * is answered 429 with {@code Retry-After} and the {@code RateLimit} / {@code RateLimit-Policy} fields.
 *
 * @param requests requests allowed per {@code per}
 * @param per      the window the requests refill over (greedily: 100 per 1s is one every 10 ms)
 * @param burst    how many may come at once; absent: {@code requests}
 * @param key      what gets a bucket of its own: {@code none} (one for all), {@code client-ip}, {@code principal} (the
 *                 bearer token's subject, at the edge), {@code caller} (the calling service's verified identity), or
 *                 {@code header:<name>} (that header's value; requests without it share one bucket)
 * @param scope    {@code local}: each proxy counts on its own; {@code global}: all gateways share the buckets in Redis
 *                 ({@code mesh.rate-limiting.redis}; ingress routes only)
 */
public record RateLimit(int requests, @DefaultValue("1s") Duration per, Integer burst,
		@DefaultValue("none") String key, @DefaultValue("local") Scope scope) {

	public RateLimit {
		per = per == null ? Duration.ofSeconds(1) : per;
		key = key == null ? "none" : key.trim();
		scope = scope == null ? Scope.LOCAL : scope;
	}

	/** The bucket's size: {@code burst}, else {@code requests}. */
	public int capacity() {
		return burst != null ? burst : requests;
	}

	public enum Scope {
		LOCAL, GLOBAL
	}
}
