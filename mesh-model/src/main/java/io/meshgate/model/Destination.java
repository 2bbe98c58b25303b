package io.meshgate.model;

/**
 * Where a route sends traffic: a service and its share in percent.
 *
 * @param service the service name, a key of {@code mesh.services}
 * @param weight  share of the route's traffic in percent; a route's weights add up to 100
 */
public record Destination(String service, Integer weight) {

	public Destination {
		weight = weight == null ? 100 : weight;
	}

	/** {@code to: orders} is short for {@code to: [{service: orders, weight: 100}]}; the binder calls this. */
	public static Destination valueOf(String service) {
		return new Destination(service.trim(), 100);
	}
}
