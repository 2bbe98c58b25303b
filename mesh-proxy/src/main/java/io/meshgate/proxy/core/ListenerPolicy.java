package io.meshgate.proxy.core;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The per-listener rules every request meets before and around the steps, the same on both transports: how its path
 * is normalised, what the next hop learns of its caller, and whether the proxy names itself in {@code Via}.
 *
 * @param via whether forwarded requests and responses get {@code Via: 1.1 meshgate} (RFC 9110 7.6.3)
 */
public record ListenerPolicy(PathNormaliser paths, ForwardedHeaders forwarded, boolean via) {

	/** Strict paths, forwarded headers appended, {@code Via} added: an agent's listeners with default settings. */
	public static final ListenerPolicy MESH = new ListenerPolicy(PathNormaliser.STRICT, ForwardedHeaders.MESH, true);

	private static final String VIA = "1.1 meshgate";

	/** Appends this proxy to a forwarded message's {@code Via}, when the listener is set to. */
	public void via(HttpHeaders headers) {
		if (via) {
			String prior = headers.get(HttpHeaderNames.VIA);
			headers.set(HttpHeaderNames.VIA, prior == null ? VIA : prior + ", " + VIA);
		}
	}
}
