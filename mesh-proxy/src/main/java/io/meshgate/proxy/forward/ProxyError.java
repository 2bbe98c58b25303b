package io.meshgate.proxy.forward;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * An error the agent answers itself, with a status a caller can act on and a JSON body saying what happened. Classified
 * once here for both directions.
 *
 * @param status  HTTP status
 * @param code    stable machine-readable reason
 * @param message what happened, naming the service or endpoint
 */
public record ProxyError(HttpResponseStatus status, String code, String message) implements Routing {

	public static ProxyError unknownService(String service) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, "unknown_service",
				"no service '" + service + "' in the mesh");
	}

	public static ProxyError noEndpoint(String service) {
		return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_endpoint",
				"service '" + service + "' has no healthy endpoint");
	}

	public static ProxyError badRequest(String message) {
		return new ProxyError(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
	}

	public static ProxyError timeout(String service, String endpoint) {
		return new ProxyError(HttpResponseStatus.GATEWAY_TIMEOUT, "timeout",
				"service '" + service + "' did not answer in time (" + endpoint + ")");
	}

	public static ProxyError reset(String service, String endpoint) {
		return new ProxyError(HttpResponseStatus.BAD_GATEWAY, "upstream_reset",
				"service '" + service + "' at " + endpoint + " closed the connection before answering");
	}

	/** Classifies a failure of the upstream call. */
	public static ProxyError upstream(String service, String endpoint, Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && !(cause instanceof ConnectException)) {
			cause = cause.getCause();
		}
		if (failure instanceof TimeoutException || failure instanceof ReadTimeoutException
				|| cause instanceof ReadTimeoutException) {
			return timeout(service, endpoint);
		}
		if (cause instanceof ConnectException) {
			return new ProxyError(HttpResponseStatus.BAD_GATEWAY, "connect_failed",
					"cannot connect to service '" + service + "' at " + endpoint + ": " + cause.getMessage());
		}
		if (failure instanceof PrematureCloseException) {
			return reset(service, endpoint);
		}
		return new ProxyError(HttpResponseStatus.BAD_GATEWAY, "upstream_error",
				"call to service '" + service + "' at " + endpoint + " failed: " + failure);
	}

	public byte[] json() {
		return ("{\"status\":" + status.code() + ",\"error\":\"" + code + "\",\"message\":\"" + escape(message) + "\"}")
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
