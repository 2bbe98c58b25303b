package io.meshgate.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;

import io.meshgate.model.Destination;
import io.meshgate.model.Ingress;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.model.ServiceSpec;

/**
 * Translates the model's routes into Spring Cloud Gateway route definitions. One definition per destination: a
 * weighted split becomes a {@code Weight} group named after the route. Destinations are {@code lb://service}, resolved
 * through discovery, so where a service runs is discovery's business, not the route's.
 */
public final class IngressRoutes {

	/** Metadata key carrying the model's route id (a split's definitions share it). */
	public static final String MESH_ROUTE = "meshgate-route";

	private IngressRoutes() {
	}

	public static List<RouteDefinition> from(MeshConfig config) {
		List<RouteDefinition> definitions = new ArrayList<>();
		for (int i = 0; i < config.routes().size(); i++) {
			Route route = config.routes().get(i);
			if (route.ingress() == null) {
				continue;
			}
			boolean split = route.to().size() > 1;
			for (Destination destination : route.to()) {
				if (split && destination.weight() == 0) {
					continue;
				}
				definitions.add(definition(route, destination, split, i, config.services().get(destination.service())));
			}
		}
		return definitions;
	}

	private static RouteDefinition definition(Route route, Destination destination, boolean split, int order,
			ServiceSpec service) {
		RouteDefinition definition = new RouteDefinition();
		definition.setId(split ? route.id() + "~" + destination.service() : route.id());
		definition.setUri(URI.create("lb://" + destination.service()));
		definition.setOrder(order);
		Ingress ingress = route.ingress();
		List<PredicateDefinition> predicates = new ArrayList<>();
		predicates.add(predicate("Path", ingress.path()));
		if (!ingress.methods().isEmpty()) {
			predicates.add(predicate("Method", String.join(",", ingress.methods())));
		}
		if (ingress.host() != null) {
			predicates.add(predicate("Host", ingress.host()));
		}
		for (Map.Entry<String, String> header : ingress.headers().entrySet()) {
			predicates.add(predicate("Header", header.getKey() + "," + Pattern.quote(header.getValue())));
		}
		if (split) {
			predicates.add(predicate("Weight", route.id() + "," + destination.weight()));
		}
		definition.setPredicates(predicates);
		if (ingress.stripPrefix() > 0) {
			definition.setFilters(List.of(new FilterDefinition("StripPrefix=" + ingress.stripPrefix())));
		}
		definition.getMetadata().put(MESH_ROUTE, route.id());
		Duration timeout = service == null ? null : service.timeout();
		if (timeout != null) {
			definition.getMetadata().put("response-timeout", timeout.toMillis());
		}
		return definition;
	}

	private static PredicateDefinition predicate(String name, String args) {
		return new PredicateDefinition(name + "=" + args);
	}
}
