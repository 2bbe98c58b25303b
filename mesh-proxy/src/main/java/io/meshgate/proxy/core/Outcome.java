package io.meshgate.proxy.core;

/**
 * How an exchange ended, classified once for every transport and plane: {@link #SUCCESS} when the upstream's answer
 * was relayed (whatever its status), else the error the proxy answered, or {@link #CANCELLED} when the caller left
 * first. The label is the {@code outcome} of the golden metrics and the {@code error} of the proxy's JSON answers; the
 * gRPC status is what a gRPC caller gets instead of an HTTP error (UNAVAILABLE for what a retry elsewhere may fix,
 * UNAUTHENTICATED 16 and PERMISSION_DENIED 7 for the edge's token checks).
 */
public enum Outcome {

	SUCCESS("success", 0),
	/** the caller cancelled, reset its stream or closed its connection before the exchange ended */
	CANCELLED("cancelled", 1),
	TIMEOUT("timeout", 4),
	CONNECT_FAILED("connect_failed", 14),
	UPSTREAM_RESET("upstream_reset", 14),
	UPSTREAM_TLS("upstream_tls", 14),
	UPSTREAM_ERROR("upstream_error", 14),
	NO_HEALTHY_ENDPOINT("no_healthy_endpoint", 14),
	UNKNOWN_SERVICE("unknown_service", 14),
	NO_LOCAL_WORKLOAD("no_local_workload", 14),
	BAD_REQUEST("bad_request", 13),
	/** the endpoint had max-connections open and max-pending requests waiting for one */
	OVERLOADED("overloaded", 14),
	/** plain text where mutual TLS is required ({@code mesh.mode: strict}) */
	MTLS_REQUIRED("mtls_required", 7),
	/** refused by a policy step (authorization, the zero-trust issue's) */
	DENIED("denied", 7),
	/** no valid bearer token where a route requires one: missing, malformed, expired, forged (401) */
	UNAUTHENTICATED("unauthenticated", 16),
	/** a valid token that lacks a scope the route requires (403) */
	INSUFFICIENT_SCOPE("insufficient_scope", 7),
	/** the issuer's signing keys could not be fetched, so no token can be checked (503) */
	AUTH_UNAVAILABLE("auth_unavailable", 14),
	/** over a route's or a service's rate limit (429, gRPC RESOURCE_EXHAUSTED) */
	RATE_LIMITED("rate_limited", 8),
	/** a shared rate limit could not be checked (its store is down) and the limit fails closed (503) */
	RATE_LIMIT_UNAVAILABLE("rate_limit_unavailable", 14),
	/** answered by the route's fault injection ({@code fault.abort}), never forwarded */
	FAULT("fault", 14),
	/** reactor-netty could not decode the request (answered before any pipeline ran; never in metrics) */
	URI_TOO_LONG("uri_too_long", 13),
	/** the request's header block came too slowly (answered 408 before any pipeline ran; never in metrics) */
	REQUEST_TIMEOUT("request_timeout", 4),
	HEADERS_TOO_LARGE("headers_too_large", 13),
	/** a step failed unexpectedly: a bug of the proxy's, never the caller's or the endpoint's */
	PROXY_ERROR("proxy_error", 13);

	private final String label;

	private final int grpcStatus;

	Outcome(String label, int grpcStatus) {
		this.label = label;
		this.grpcStatus = grpcStatus;
	}

	public String label() {
		return label;
	}

	/** The gRPC status code (DEADLINE_EXCEEDED 4, UNAVAILABLE 14, INTERNAL 13, CANCELLED 1). */
	public int grpcStatus() {
		return grpcStatus;
	}
}
