package io.meshgate.proxy.core;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.meshgate.proxy.tls.UpstreamTls;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * An answer the proxy gives itself, with a status a caller can act on and a short message saying what happened.
 * Classified once here for every transport and direction; a step answers with one to end the pipeline. What a caller
 * must not see (endpoint addresses, exception texts) is kept apart in {@code detail}, for the proxy's log, which
 * names the same request id as the answer.
 *
 * @param status  HTTP status
 * @param outcome the stable machine-readable reason ({@code error} in the JSON body, {@code outcome} in metrics)
 * @param message what happened, naming the service: safe to show any caller
 * @param detail  the internal side (endpoint, cause), or {@code null}: logged, never answered
 * @param headers what the answer carries besides the body: the {@code WWW-Authenticate} of a 401 or 403 about a bearer
 *                token (RFC 6750), the {@code Retry-After} and {@code RateLimit} fields of a 429; empty for most
 */
public record ProxyError(HttpResponseStatus status, Outcome outcome, String message, String detail,
		Map<String, String> headers) implements Verdict {

	public ProxyError {
		headers = headers == null ? Map.of() : headers;
	}

	public ProxyError(HttpResponseStatus status, Outcome outcome, String message) {
		this(status, outcome, message, null, Map.of());
	}

	public ProxyError(HttpResponseStatus status, Outcome outcome, String message, String detail) {
		this(status, outcome, message, detail, Map.of());
	}

	/** An answer about a bearer token, with its {@code WWW-Authenticate} challenge. */
	public ProxyError(HttpResponseStatus status, Outcome outcome, String message, String detail, String challenge) {
		this(status, outcome, message, detail, Map.of("WWW-Authenticate", challenge));
	}

	/** The {@code WWW-Authenticate} challenge, or {@code null}. */
	public String challenge() {
		return headers.get("WWW-Authenticate");
	}

	public static ProxyError unknownService(String service) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.UNKNOWN_SERVICE,
				"no service '" + service + "' in the mesh");
	}

	public static ProxyError noEndpoint(String service) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.NO_HEALTHY_ENDPOINT,
				"service '" + service + "' has no healthy endpoint");
	}

	public static ProxyError noLocalWorkload(String node, String service) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.NO_LOCAL_WORKLOAD,
				"node '" + node + "' runs no workload of service '" + service + "'");
	}

	/**
	 * A caller reached an inbound listener in plain text for a service that takes mutual TLS only
	 * ({@code mesh.mode: strict}): a caller outside the mesh, or an agent without its identity.
	 */
	public static ProxyError mutualTlsRequired(String node, String service) {
		return new ProxyError(HttpResponseStatus.FORBIDDEN, Outcome.MTLS_REQUIRED, "service '" + service
				+ "' takes calls over mutual TLS only (mesh.mode strict): call it through your node's mesh agent");
	}

	/** No rule of the service's policy allows the call (its caller, method, path): nothing else is said. */
	public static ProxyError denied(String service) {
		return new ProxyError(HttpResponseStatus.FORBIDDEN, Outcome.DENIED,
				"no policy rule of service '" + service + "' allows this call");
	}

	/** The endpoint is at its connection limit with its queue full: answered at once rather than queued. */
	public static ProxyError overloaded(String service, String endpoint) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.OVERLOADED,
				"service '" + service + "' is overloaded: too many requests are waiting for it",
				"endpoint " + endpoint + " has max-connections-per-endpoint open and max-pending-per-endpoint waiting");
	}

	/** The service has {@code max-requests} in flight from this proxy: answered at once rather than queued. */
	public static ProxyError overloaded(String service) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.OVERLOADED,
				"service '" + service + "' is overloaded: too many requests are waiting for it",
				"the service has max-requests in flight");
	}

	public static ProxyError badRequest(String message) {
		return new ProxyError(HttpResponseStatus.BAD_REQUEST, Outcome.BAD_REQUEST, message);
	}

	public static ProxyError timeout(String service, String endpoint) {
		return new ProxyError(HttpResponseStatus.GATEWAY_TIMEOUT, Outcome.TIMEOUT,
				"service '" + service + "' did not answer in time", "endpoint " + endpoint);
	}

	public static ProxyError reset(String service, String endpoint) {
		return new ProxyError(HttpResponseStatus.BAD_GATEWAY, Outcome.UPSTREAM_RESET,
				"service '" + service + "' closed the connection before answering", "endpoint " + endpoint);
	}

	/** A bug of the proxy's: the caller learns that much, the log the rest. */
	public static ProxyError internal(String what) {
		return new ProxyError(HttpResponseStatus.INTERNAL_SERVER_ERROR, Outcome.PROXY_ERROR,
				"the proxy failed to handle the request", what);
	}

	/** Classifies a failure of the upstream call. */
	public static ProxyError upstream(String service, String endpoint, Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause && !(cause instanceof ConnectException)) {
			cause = cause.getCause();
		}
		if (isPoolFull(failure)) {
			return overloaded(service, endpoint);
		}
		String tls = UpstreamTls.failureReason(failure);
		if (failure instanceof TimeoutException || failure instanceof ReadTimeoutException
				|| cause instanceof ReadTimeoutException) {
			return timeout(service, endpoint);
		}
		if (tls != null) {
			return new ProxyError(HttpResponseStatus.BAD_GATEWAY, Outcome.UPSTREAM_TLS,
					"TLS with service '" + service + "' failed: " + io.meshgate.proxy.tls.TlsFailure.of(tls).message(),
					"endpoint " + endpoint + ": " + tls);
		}
		if (cause instanceof ConnectException) {
			return new ProxyError(HttpResponseStatus.BAD_GATEWAY, Outcome.CONNECT_FAILED,
					"cannot connect to service '" + service + "'", "endpoint " + endpoint + ": " + cause.getMessage());
		}
		if (failure instanceof PrematureCloseException || cause instanceof java.io.IOException) {
			// the connection broke before the answer: closed, or reset while the request was still being written
			return new ProxyError(HttpResponseStatus.BAD_GATEWAY, Outcome.UPSTREAM_RESET,
					"service '" + service + "' closed the connection before answering",
					"endpoint " + endpoint + ": " + failure);
		}
		return new ProxyError(HttpResponseStatus.BAD_GATEWAY, Outcome.UPSTREAM_ERROR,
				"the call to service '" + service + "' failed", "endpoint " + endpoint + ": " + failure);
	}

	/**
	 * reactor-netty's connection pool refused to queue one more request (or it waited past the pool's own limit):
	 * its exceptions live in a shaded package, so they are known by name.
	 */
	private static boolean isPoolFull(Throwable failure) {
		String name = failure.getClass().getSimpleName();
		return name.equals("PoolAcquirePendingLimitException") || name.equals("PoolAcquireTimeoutException");
	}

	/** The reason a caller reads in the JSON body; the same as {@link Outcome#label()}. */
	public String code() {
		return outcome.label();
	}

	/** The body a caller gets: status, error kind, message and the request id the proxy's log names too. */
	public byte[] json(String requestId) {
		return ("{\"status\":" + status.code() + ",\"error\":\"" + code() + "\",\"message\":\"" + escape(message)
				+ "\",\"requestId\":\"" + escape(requestId) + "\"}")
			.getBytes(StandardCharsets.UTF_8);
	}

	private static String escape(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			if (c == '"' || c == '\\') {
				out.append('\\').append(c);
			}
			else if (c < 0x20) {
				out.append(' ');
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}
}
