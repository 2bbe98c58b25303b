package io.meshgate.proxy.core;

/**
 * The one place a request path is normalised, called once when the {@link RequestHead} is built, so route matching,
 * prefix stripping and (later) authorization policies all see the same path as the one forwarded.
 * <p>
 * Today it passes the path through unchanged: dot-segment removal, percent-decoding of unreserved characters and
 * refusing encoded slashes are the hardening issue's (#10), and land here without touching a step or a transport.
 */
public final class PathNormaliser {

	private PathNormaliser() {
	}

	public static String normalise(String rawPath) {
		return rawPath;
	}
}
