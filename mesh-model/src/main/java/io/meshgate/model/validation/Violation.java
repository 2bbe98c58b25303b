package io.meshgate.model.validation;

import java.util.List;

/**
 * A problem at a key of the model.
 *
 * @param keys    where it is, most precise first ({@code mesh.routes[0].to[0].service}, then {@code mesh.routes[0].to}
 *                for the {@code to: orders} shorthand); the first one a file defines is reported
 * @param message what is wrong
 */
public record Violation(List<String> keys, String message) {

	public static Violation at(String key, String message) {
		return new Violation(List.of(key), message);
	}

	public static Violation at(String key, String fallbackKey, String message) {
		return new Violation(List.of(key, fallbackKey), message);
	}
}
