package io.meshgate.model.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;

import io.meshgate.model.ConfigSource;

/**
 * Reads config files the way the control plane serves them (Spring Boot's YAML loader, then the YAML tree for what
 * the flattening drops: {@code key: {}} and each key's line), for the CLI and for tests.
 */
public final class YamlConfigFiles {

	private YamlConfigFiles() {
	}

	public static ConfigSource read(Path file, String name) {
		try {
			return parse(java.nio.file.Files.readString(file), name);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(name + ": " + ex.getMessage(), ex);
		}
	}

	public static ConfigSource parse(String yaml, String name) {
		ConfigSource flat = load(new ByteArrayResource(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), name),
				name);
		return flat.withTree(YamlTree.parse(yaml));
	}

	private static ConfigSource load(Resource resource, String name) {
		try {
			List<PropertySource<?>> documents = new YamlPropertySourceLoader().load(name, resource);
			Map<String, Object> properties = new LinkedHashMap<>();
			// later documents of a multi-document file win, as in Spring Boot
			for (PropertySource<?> document : documents) {
				EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) document;
				for (String key : enumerable.getPropertyNames()) {
					Object value = enumerable.getProperty(key);
					properties.put(key, value == null ? "" : value.toString());
				}
			}
			return new ConfigSource(name, properties);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(name + ": " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			throw InvalidYamlException.from(name, ex);
		}
	}
}
