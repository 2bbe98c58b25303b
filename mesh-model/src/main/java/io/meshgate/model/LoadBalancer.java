package io.meshgate.model;

/** How the calling proxy picks one of a service's endpoints for a request. */
public enum LoadBalancer {
	/**
	 * Two endpoints at random, the one with the lower latency average weighted by its requests in flight (Linkerd's
	 * and Finagle's default): avoids slow endpoints within seconds
	 */
	P2C_EWMA,
	/** each endpoint in turn */
	ROUND_ROBIN,
	/** two endpoints at random, the one with fewer requests in flight (Envoy's LEAST_REQUEST) */
	LEAST_REQUEST
}
