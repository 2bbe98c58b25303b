package io.meshgate.model;

import java.util.List;

import io.meshgate.model.validation.Violation;

/** Finds which file defines a key, so that an error names the file a user has to edit. */
public final class ConfigSources {

	private final List<ConfigSource> sources;

	public ConfigSources(List<ConfigSource> sources) {
		this.sources = sources;
	}

	/** @return an error at the key, naming the highest-precedence file that defines it */
	public ConfigError errorAt(String key, String message) {
		return errorAt(Violation.at(key, message));
	}

	public ConfigError errorAt(Violation violation) {
		for (String key : violation.keys()) {
			for (ConfigSource source : sources) {
				if (defines(source, key)) {
					return new ConfigError(source.name(), key, violation.message(), source.lineOf(key));
				}
			}
		}
		String fallback = sources.isEmpty() ? "(no config files)" : sources.get(0).name();
		return new ConfigError(fallback, violation.keys().get(0), violation.message());
	}

	/** @return whether a file defines the key, or anything below it */
	public static boolean defines(ConfigSource source, String key) {
		for (String candidate : source.properties().keySet()) {
			if (candidate.equals(key) || candidate.startsWith(key + ".") || candidate.startsWith(key + "[")) {
				return true;
			}
		}
		return false;
	}
}
