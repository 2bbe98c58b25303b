package io.meshgate.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Null-safe, order-keeping immutable copies for the model's collections (YAML order is meaningful). */
final class Immutables {

	private Immutables() {
	}

	static <T> List<T> list(List<T> list) {
		return list == null ? List.of() : Collections.unmodifiableList(new java.util.ArrayList<>(list));
	}

	static <K, V> Map<K, V> map(Map<K, V> map) {
		return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
	}
}
