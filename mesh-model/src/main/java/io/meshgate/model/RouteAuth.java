package io.meshgate.model;

import java.util.List;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may use an ingress route: a caller with a valid bearer token ({@link Jwt}) granting every scope listed, or
 * anyone ({@code auth: none}). A route without {@code auth} requires a valid token once {@code mesh.jwt} is set.
 *
 * @param required whether a valid token is needed; {@code auth: none} is short for {@code required: false}
 * @param scopes   scopes the token must grant, all of them
 */
public record RouteAuth(@DefaultValue("true") Boolean required, List<String> scopes) {

	/** {@code auth: none}: a public route. */
	public static final RouteAuth NONE = new RouteAuth(false, List.of());

	/** What a route without {@code auth} gets when the edge checks tokens. */
	public static final RouteAuth TOKEN = new RouteAuth(true, List.of());

	public RouteAuth {
		required = required == null || required;
		scopes = Immutables.list(scopes);
	}

	/** {@code auth: none}; the binder calls this for a plain value. */
	public static RouteAuth valueOf(String text) {
		if (text.trim().equalsIgnoreCase("none")) {
			return NONE;
		}
		throw new IllegalArgumentException("write 'auth: none' for a public route, or 'auth: { scopes: [...] }'");
	}
}
