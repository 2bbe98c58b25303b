package io.meshgate.model;

import java.util.Map;

/**
 * The east-west match of a route: a call a local app makes to {@code service} (through its node's agent) that
 * satisfies the optional path prefix and headers goes to the route's destinations instead. Calls to a service that
 * no route matches go to that service.
 *
 * @param service    the called service
 * @param pathPrefix only paths starting with this prefix; absent matches any path
 * @param headers    headers that must be present with exactly these values
 * @param cookies    cookies that must be present with exactly these values
 */
public record Match(String service, String pathPrefix, Map<String, String> headers, Map<String, String> cookies) {

	public Match {
		headers = Immutables.map(headers);
		cookies = Immutables.map(cookies);
	}
}
