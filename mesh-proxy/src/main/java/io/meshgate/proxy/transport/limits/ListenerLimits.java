package io.meshgate.proxy.transport.limits;

import java.time.Duration;

/**
 * What one listener allows its callers, the same settings on every listener of both planes.
 *
 * @param headerTimeout  from the first byte of a request to the end of its header block; beyond it the caller gets
 *                       408 and the connection closes (Envoy's {@code request_headers_timeout}, nginx's
 *                       {@code client_header_timeout}): a caller that sends its head a byte at a time cannot hold a
 *                       connection for good
 * @param idleTimeout    how long a connection with no request in flight (HTTP/2: no open stream) is kept
 * @param maxConnections connections open at once; one more is closed as soon as it is accepted, and counted
 */
public record ListenerLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections) {

	public static final ListenerLimits DEFAULTS = new ListenerLimits(Duration.ofSeconds(10), Duration.ofSeconds(60),
			10_000);

	public ListenerLimits {
		if (headerTimeout.isNegative() || headerTimeout.isZero()) {
			throw new IllegalArgumentException("header-timeout must be positive, not " + headerTimeout);
		}
		if (idleTimeout.isNegative() || idleTimeout.isZero()) {
			throw new IllegalArgumentException("idle-timeout must be positive, not " + idleTimeout);
		}
		if (maxConnections < 1) {
			throw new IllegalArgumentException("max-connections must be at least 1, not " + maxConnections);
		}
	}
}
