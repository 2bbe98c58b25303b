package io.meshgate.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One config file as flat properties ({@code mesh.routes[0].id = orders-api}), as the config server serves it.
 *
 * @param name       the file, as users know it ({@code config-repo/application.yml}); errors are reported against it
 * @param properties flat keys to values
 * @param lines      where each key is written in the file, when its text was at hand (errors then name the line)
 */
public record ConfigSource(String name, Map<String, Object> properties, Map<String, Integer> lines) {

	public ConfigSource {
		properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
		lines = lines == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(lines));
	}

	public ConfigSource(String name, Map<String, Object> properties) {
		this(name, properties, Map.of());
	}

	/**
	 * The file as its YAML text says: each {@code key: {}} under {@code mesh.} kept as {@code key:} is (an empty
	 * value, which the model binds to defaults: {@code inventory: {}} declares a service, and a typo'd key is seen
	 * by the unknown-key check), and the line of every key known.
	 */
	public ConfigSource withTree(io.meshgate.model.files.YamlTree tree) {
		Map<String, Object> declared = new LinkedHashMap<>(properties);
		tree.emptyMaps().keySet().forEach(key -> {
			// the model's keys only: an empty value elsewhere could mean something else to whoever reads it
			if (key.startsWith(MeshConfig.PREFIX + ".") && !ConfigSources.defines(this, key)) {
				declared.put(key, "");
			}
		});
		return new ConfigSource(name, declared, tree.lines());
	}

	/** The line of {@code key}, or of the nearest key above it written in the file; 0 when unknown. */
	public int lineOf(String key) {
		String candidate = key;
		while (!candidate.isEmpty()) {
			Integer line = lines.get(candidate);
			if (line != null) {
				return line;
			}
			int cut = Math.max(candidate.lastIndexOf('.'), candidate.lastIndexOf('['));
			candidate = cut <= 0 ? "" : candidate.substring(0, cut);
		}
		return 0;
	}
}
