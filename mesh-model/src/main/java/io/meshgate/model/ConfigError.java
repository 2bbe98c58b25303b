package io.meshgate.model;

/**
 * A reason a config cannot be applied, with the file and key a user must fix.
 *
 * @param file    the config file ({@code config-repo/application.yml}), or the fetch that failed
 * @param key     the property ({@code mesh.routes[2].to}); empty when the problem is the whole file
 * @param message what is wrong, in words a user can act on
 * @param line    the line of the key in the file, 1-based; 0 when not known (a proxy sees flat properties only)
 */
public record ConfigError(String file, String key, String message, int line) {

	public ConfigError(String file, String key, String message) {
		this(file, key, message, 0);
	}

	@Override
	public String toString() {
		String where = line > 0 ? file + ":" + line : file;
		return key.isEmpty() ? where + ": " + message : where + ": " + key + ": " + message;
	}
}
