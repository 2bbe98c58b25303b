package io.meshgate.proxy.core;

/**
 * The per-listener rules every request meets before and around the steps, the same on both transports: how its path
 * is normalised, and what the next hop learns of its caller.
 */
public record ListenerPolicy(PathNormaliser paths, ForwardedHeaders forwarded) {

	/** Strict paths, forwarded headers appended: an agent's listeners with default settings. */
	public static final ListenerPolicy MESH = new ListenerPolicy(PathNormaliser.STRICT, ForwardedHeaders.MESH);
}
