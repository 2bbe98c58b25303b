package io.meshgate.model;

import java.util.List;

/**
 * A route: which requests ({@link Ingress}) go to which service or weighted services.
 *
 * @param id      unique id, also the route id the gateway reports in its actuator and metrics
 * @param ingress the public request match served by the gateway
 * @param to      one service ({@code to: orders}) or a weighted split whose weights add up to 100
 */
public record Route(String id, Ingress ingress, List<Destination> to) {

	public Route {
		to = Immutables.list(to);
	}
}
