package io.meshgate.model.binding;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;

import io.meshgate.model.ConfigError;
import io.meshgate.model.ConfigSource;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.validation.Suggestions;

/**
 * Finds keys under {@code mesh.} that the model does not have. Spring's binder ignores them silently, which turns a
 * typo into a setting that quietly does nothing; here it is an error with a suggestion. A typo'd key whose value is
 * an empty map is found too when the source was read with its YAML tree ({@link ConfigSource#withTree}), which
 * keeps {@code key: {}} as a key.
 */
public final class UnknownKeys {

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(MeshConfig.PREFIX);

	private UnknownKeys() {
	}

	public static List<ConfigError> find(List<ConfigSource> sources) {
		List<ConfigError> errors = new ArrayList<>();
		for (ConfigSource source : sources) {
			for (String key : source.properties().keySet()) {
				ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
				if (!ROOT.isAncestorOf(name)) {
					continue;
				}
				String problem = check(name);
				if (problem != null) {
					errors.add(new ConfigError(source.name(), key, problem, source.lineOf(key)));
				}
			}
		}
		return errors;
	}

	/** @return why the key is not part of the model, or {@code null} when it is */
	static String check(ConfigurationPropertyName name) {
		Type type = MeshConfig.class;
		for (int i = 1; i < name.getNumberOfElements(); i++) {
			String element = name.getElement(i, Form.DASHED);
			if (ModelTypes.isList(type)) {
				if (!name.isNumericIndex(i)) {
					return "'" + name.getElement(i - 1, Form.DASHED) + "' is a list: write its items with '- ' in YAML";
				}
				type = ModelTypes.elementType(type);
			}
			else if (ModelTypes.isMap(type)) {
				type = ModelTypes.elementType(type);
			}
			else if (ModelTypes.isObject(type)) {
				Map<String, Type> keys = ModelTypes.keys(type);
				Type next = find(keys, name.getElement(i, Form.UNIFORM));
				if (next == null) {
					return "unknown key '" + element + "'" + Suggestions.didYouMean(element, keys.keySet())
							+ "; allowed here: " + String.join(", ", keys.keySet());
				}
				type = next;
			}
			else {
				return "'" + name.getElement(i - 1, Form.DASHED) + "' is a single value and has no key '" + element
						+ "'";
			}
		}
		return null;
	}

	private static Type find(Map<String, Type> keys, String uniformElement) {
		for (Map.Entry<String, Type> key : keys.entrySet()) {
			if (key.getKey().replace("-", "").equals(uniformElement)) {
				return key.getValue();
			}
		}
		return null;
	}
}
