package io.meshgate.model;

import java.util.List;

/**
 * A route: which requests go to which service or weighted services. {@link Ingress} routes are served by the gateway
 * (public traffic), {@link Match} routes by the caller's agent (east-west traffic); a route may have both.
 *
 * @param id      unique id, also the route id the proxies report in their actuator and metrics
 * @param ingress the public request match served by the gateway
 * @param match   the east-west match: calls to a service that the caller's agent redirects
 * @param to      one service ({@code to: orders}) or a weighted split whose weights add up to 100
 * @param auth    who may use the ingress: a bearer token with scopes, or {@code none}; absent: a valid token when
 *                {@code mesh.jwt} is set, anyone when it is not
 * @param fault   delays or errors injected into a share of the route's requests; absent: none
 * @param rateLimit how many requests the route takes, per key; absent: no limit
 * @param mirror  shadow traffic: a copy of a share of the route's requests to another service; absent: none
 */
public record Route(String id, Ingress ingress, Match match, List<Destination> to, RouteAuth auth, Fault fault,
		RateLimit rateLimit, Mirror mirror) {

	public Route {
		to = Immutables.list(to);
	}

	/** The route's {@code auth} as the edge applies it under {@code jwt} (which may be absent). */
	public RouteAuth authUnder(Jwt jwt) {
		if (auth != null) {
			return auth;
		}
		return jwt == null ? RouteAuth.NONE : RouteAuth.TOKEN;
	}
}
