package io.meshgate.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One config file as flat properties ({@code mesh.routes[0].id = orders-api}), as the config server serves it.
 *
 * @param name       the file, as users know it ({@code config-repo/application.yml}); errors are reported against it
 * @param properties flat keys to values
 */
public record ConfigSource(String name, Map<String, Object> properties) {

	public ConfigSource {
		properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
	}
}
