package io.meshgate.client;

import java.time.Instant;
import java.util.List;

import io.meshgate.model.ConfigSource;
import io.meshgate.model.MeshConfig;

/**
 * A validated config a proxy serves.
 *
 * @param version   the config commit
 * @param sources   the files as served for this proxy, highest precedence first
 * @param model     the mesh model bound from them
 * @param appliedAt when it was first applied (kept across restarts from last-known-good)
 * @param origin    where it came from this time
 */
public record AppliedConfig(String version, List<ConfigSource> sources, MeshConfig model, Instant appliedAt,
		Origin origin) {

	public AppliedConfig {
		sources = List.copyOf(sources);
	}

	/** {@code control-plane} or {@code last-known-good}, as actuator endpoints and metrics show it. */
	public String originName() {
		return origin.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

	public enum Origin {
		/** fetched from the control plane after a new commit */
		CONTROL_PLANE,
		/** read from disk at start, because the control plane had not (yet) answered */
		LAST_KNOWN_GOOD
	}
}
