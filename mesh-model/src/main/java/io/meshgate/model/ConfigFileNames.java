package io.meshgate.model;

/**
 * Short names for the config server's property sources. It names them by repository URI plus path
 * ({@code file:/srv/config-clone/config-repo/application.yml}); users know them as {@code config-repo/application.yml}.
 */
public final class ConfigFileNames {

	private ConfigFileNames() {
	}

	/** The file and its folder: enough to find it in the repository, short enough to read in a log line. */
	public static String shorten(String propertySourceName) {
		String name = propertySourceName;
		int bracket = name.indexOf('[');
		if (name.startsWith("Config resource") && bracket >= 0) {
			name = name.substring(bracket + 1, name.lastIndexOf(']') > bracket ? name.lastIndexOf(']') : name.length());
		}
		int slash = name.lastIndexOf('/');
		if (slash <= 0) {
			return name;
		}
		int folder = name.lastIndexOf('/', slash - 1);
		return name.substring(folder + 1);
	}
}
