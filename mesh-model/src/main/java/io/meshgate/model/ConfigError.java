package io.meshgate.model;

/**
 * A reason a config cannot be applied, with the file and key a user must fix.
 *
 * @param file    the config file ({@code config-repo/application.yml}), or the fetch that failed
 * @param key     the property ({@code mesh.routes[2].to}); empty when the problem is the whole file
 * @param message what is wrong, in words a user can act on
 */
public record ConfigError(String file, String key, String message) {

	@Override
	public String toString() {
		return key.isEmpty() ? file + ": " + message : file + ": " + key + ": " + message;
	}
}
