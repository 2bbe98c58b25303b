package io.meshgate.model.binding;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of the model as config keys: records are objects whose keys are their components in kebab-case, lists
 * are indexed, maps take any key, everything else is a value. Used to find unknown keys and to check the JSON Schema.
 */
public final class ModelTypes {

	private ModelTypes() {
	}

	public static Class<?> raw(Type type) {
		return type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
	}

	public static boolean isObject(Type type) {
		return raw(type).isRecord();
	}

	public static boolean isList(Type type) {
		return Collection.class.isAssignableFrom(raw(type));
	}

	public static boolean isMap(Type type) {
		return Map.class.isAssignableFrom(raw(type));
	}

	/** The element type of a list, or the value type of a map. */
	public static Type elementType(Type type) {
		Type[] arguments = ((ParameterizedType) type).getActualTypeArguments();
		return arguments[arguments.length - 1];
	}

	/**
	 * The keys of a record type in kebab-case ({@code stripPrefix} is {@code strip-prefix}), in declaration order.
	 * Cached: the key check asks once per key of a config, and reflection per call made 10,000 routes slow.
	 */
	public static Map<String, Type> keys(Type type) {
		return KEYS.computeIfAbsent(raw(type), ModelTypes::recordKeys);
	}

	private static final Map<Class<?>, Map<String, Type>> KEYS = new ConcurrentHashMap<>();

	private static Map<String, Type> recordKeys(Class<?> record) {
		Map<String, Type> keys = new LinkedHashMap<>();
		for (RecordComponent component : record.getRecordComponents()) {
			keys.put(kebab(component.getName()), component.getGenericType());
		}
		return Collections.unmodifiableMap(keys);
	}

	static String kebab(String camel) {
		StringBuilder kebab = new StringBuilder();
		for (char c : camel.toCharArray()) {
			if (Character.isUpperCase(c)) {
				kebab.append('-').append(Character.toLowerCase(c));
			}
			else {
				kebab.append(c);
			}
		}
		return kebab.toString();
	}
}
