package io.meshgate.gateway.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.stereotype.Component;

import io.meshgate.client.ConfigCheck;
import io.meshgate.model.ConfigError;
import io.meshgate.model.ConfigSource;
import io.meshgate.model.ConfigSources;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.validation.Suggestions;

/**
 * Checks plain Spring Cloud Gateway routes before they are applied. Left alone, the gateway logs a bad route and
 * drops it, or (for the pre-5.0 {@code spring.cloud.gateway.routes}) ignores it without a word.
 */
@Component
class GatewayRoutesCheck implements ConfigCheck {

	static final String ROUTES = "spring.cloud.gateway.server.webflux.routes";

	static final String LEGACY_ROUTES = "spring.cloud.gateway.routes";

	private final Set<String> predicates;

	private final Set<String> filters;

	GatewayRoutesCheck(List<RoutePredicateFactory<?>> predicateFactories, List<GatewayFilterFactory<?>> filterFactories) {
		this.predicates = predicateFactories.stream().map(RoutePredicateFactory::name).collect(Collectors.toSet());
		this.filters = filterFactories.stream().map(GatewayFilterFactory::name).collect(Collectors.toSet());
	}

	@Override
	public List<ConfigError> check(List<ConfigSource> sources, MeshConfig model) {
		ConfigSources files = new ConfigSources(sources);
		List<ConfigError> errors = new ArrayList<>();
		for (ConfigSource source : sources) {
			if (ConfigSources.defines(source, LEGACY_ROUTES)) {
				errors.add(new ConfigError(source.name(), LEGACY_ROUTES,
						"Spring Cloud Gateway 5 ignores this key; move the routes to " + ROUTES));
			}
		}
		List<RouteDefinition> routes;
		try {
			routes = bind(sources);
		}
		catch (RuntimeException ex) {
			errors.add(files.errorAt(ROUTES, "cannot be read: " + rootMessage(ex)));
			return errors;
		}
		Set<String> ids = new HashSet<>();
		model.routes().forEach(route -> ids.add(route.id()));
		for (int i = 0; i < routes.size(); i++) {
			RouteDefinition route = routes.get(i);
			String key = ROUTES + "[" + i + "]";
			if (route.getId() == null || route.getId().isBlank()) {
				errors.add(files.errorAt(key + ".id", "missing: every route needs an id"));
			}
			else if (!ids.add(route.getId())) {
				errors.add(files.errorAt(key + ".id", "duplicate route id '" + route.getId()
						+ "' (also used by a mesh route or an earlier gateway route)"));
			}
			URI uri = route.getUri();
			if (uri == null || uri.getScheme() == null) {
				errors.add(files.errorAt(key + ".uri", "missing: a route needs a uri such as lb://orders or http://host:port"));
			}
			if (route.getPredicates().isEmpty()) {
				errors.add(files.errorAt(key + ".predicates", "missing: a route without predicates matches nothing"));
			}
			for (int p = 0; p < route.getPredicates().size(); p++) {
				PredicateDefinition predicate = route.getPredicates().get(p);
				if (!predicates.contains(predicate.getName())) {
					errors.add(files.errorAt(key + ".predicates[" + p + "]", "unknown predicate '" + predicate.getName()
							+ "'" + Suggestions.didYouMean(predicate.getName(), predicates)));
				}
			}
			for (int f = 0; f < route.getFilters().size(); f++) {
				FilterDefinition filter = route.getFilters().get(f);
				if (!filters.contains(filter.getName())) {
					errors.add(files.errorAt(key + ".filters[" + f + "]",
							"unknown filter '" + filter.getName() + "'" + Suggestions.didYouMean(filter.getName(), filters)));
				}
			}
		}
		return errors;
	}

	private static List<RouteDefinition> bind(List<ConfigSource> sources) {
		List<PropertySource<?>> propertySources = new ArrayList<>();
		for (ConfigSource source : sources) {
			propertySources.add(new MapPropertySource(source.name(), source.properties()));
		}
		return new Binder(ConfigurationPropertySources.from(propertySources))
			.bind(ROUTES, Bindable.listOf(RouteDefinition.class))
			.orElse(List.of());
	}

	private static String rootMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return root.getMessage();
	}
}
