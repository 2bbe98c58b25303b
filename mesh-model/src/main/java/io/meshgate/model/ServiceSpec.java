package io.meshgate.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A service of the mesh.
 *
 * @param timeout   deadline for the response head of a call to this service, counted from the end of the request and
 *                  enforced by the calling proxy on every transport; a response that streams (a download, a gRPC
 *                  server stream, a WebSocket session) is never cut by it (absent: no deadline)
 * @param endpoints static endpoints ({@code http://host:port}, {@code https://host:port} called over TLS with the host
 *                  name verified); workloads behind agents are found through the registry instead, static endpoints
 *                  stay useful for services outside the mesh
 * @param mode      this service's {@code mesh.mode} ({@code strict}: its workloads take calls over mutual TLS only;
 *                  {@code permissive}: plain text too); absent: the mesh's
 * @param retries   how failed calls are retried; absent: never
 * @param outlierDetection when an endpoint is ejected from balancing; absent: {@link OutlierDetection#DEFAULT}
 * @param loadBalancer how an endpoint is picked; absent: {@link LoadBalancer#P2C_EWMA}
 * @param maxRequests the most requests to this service in flight at once from one proxy; beyond it a request is
 *                  answered 503 {@code overloaded} at once (Envoy's circuit breaker {@code max_requests}); absent: no
 *                  limit besides each endpoint's connection pool
 * @param idleTimeout how long a response that streams may go without a byte from the service before the calling proxy
 *                  cuts it (a stalled download, a gRPC server stream gone quiet); absent: never
 * @param rateLimit how many requests each of its workloads takes (from all callers together, or per {@code key}),
 *                  kept by the agent in front of it; absent: no limit
 */
public record ServiceSpec(Duration timeout, List<URI> endpoints, MeshConfig.Mode mode, Retries retries,
		OutlierDetection outlierDetection, LoadBalancer loadBalancer, Integer maxRequests, Duration idleTimeout,
		RateLimit rateLimit) {

	public ServiceSpec {
		endpoints = Immutables.list(endpoints);
		outlierDetection = outlierDetection == null ? OutlierDetection.DEFAULT : outlierDetection;
		loadBalancer = loadBalancer == null ? LoadBalancer.P2C_EWMA : loadBalancer;
	}

	/** A service with these endpoints and every other setting at its default. */
	public static ServiceSpec of(Duration timeout, List<URI> endpoints) {
		return new ServiceSpec(timeout, endpoints, null, null, null, null, null, null, null);
	}

	/** The mode its workloads' inbound listeners apply: its own, else the mesh's. */
	public MeshConfig.Mode modeIn(MeshConfig mesh) {
		return mode != null ? mode : mesh.mode();
	}

	/**
	 * A service without settings is written {@code inventory:} (or {@code inventory: ~}); Spring's YAML loader drops an
	 * empty map ({@code inventory: {}}) entirely, so the binder sees an empty value and calls this.
	 */
	public static ServiceSpec valueOf(String empty) {
		if (!empty.isBlank()) {
			throw new IllegalArgumentException("a service takes settings such as timeout, not a value");
		}
		return of(null, null);
	}
}
