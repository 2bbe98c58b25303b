package io.meshgate.proxy.transport.limits;

/**
 * What a proxy asks of one upstream endpoint at most: {@code maxConnections} open connections, and
 * {@code maxPending} requests waiting for one of them; a request beyond both is answered 503 {@code overloaded} at
 * once rather than queued without bound (Envoy's circuit-breaker thresholds {@code max_connections} and
 * {@code max_pending_requests}, whose defaults these are). The HTTP/1.1 relay keeps its connections per event loop
 * and holds each loop to its share of both.
 */
public record UpstreamLimits(int maxConnections, int maxPending) {

	public static final UpstreamLimits DEFAULTS = new UpstreamLimits(1024, 1024);

	public UpstreamLimits {
		if (maxConnections < 1) {
			throw new IllegalArgumentException("max-connections-per-endpoint must be at least 1, not " + maxConnections);
		}
		if (maxPending < 1) {
			throw new IllegalArgumentException("max-pending-per-endpoint must be at least 1, not " + maxPending);
		}
	}

	/** One event loop's share of a limit: the relay's pools are per loop. */
	public static int share(int limit, int loops) {
		return Math.max(1, (limit + loops - 1) / Math.max(1, loops));
	}
}
