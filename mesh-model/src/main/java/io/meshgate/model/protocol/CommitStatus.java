package io.meshgate.model.protocol;

import java.time.Instant;
import java.util.List;

import io.meshgate.model.ConfigError;

/**
 * What the control plane knows about a commit of the config repository; the event of its push channel.
 *
 * @param version   the commit id (the config server's {@code version})
 * @param label     the branch or tag it was read from
 * @param valid     whether every application's view of it passed validation
 * @param errors    why not, by file and key
 * @param checkedAt when the control plane validated it
 */
public record CommitStatus(String version, String label, boolean valid, List<ConfigError> errors, Instant checkedAt) {

	public CommitStatus {
		errors = errors == null ? List.of() : List.copyOf(errors);
	}
}
