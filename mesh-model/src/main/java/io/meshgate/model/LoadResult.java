package io.meshgate.model;

import java.util.List;

/**
 * The outcome of loading config files into the model: the model when valid, every error otherwise.
 *
 * @param config the model; {@code null} when there are errors
 * @param errors all errors found, in file order
 */
public record LoadResult(MeshConfig config, List<ConfigError> errors) {

	public LoadResult {
		errors = List.copyOf(errors);
	}

	public boolean valid() {
		return errors.isEmpty();
	}
}
