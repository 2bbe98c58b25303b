package io.meshgate.client;

import java.time.Instant;
import java.util.List;

import io.meshgate.model.ConfigError;

/**
 * A config version a proxy refused; it kept serving what it had.
 *
 * @param version    the refused commit
 * @param rejectedAt when
 * @param errors     why, by file and key
 */
public record Rejection(String version, Instant rejectedAt, List<ConfigError> errors) {

	public Rejection {
		errors = List.copyOf(errors);
	}
}
