package io.meshgate.gateway.routing;

import java.util.List;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.meshgate.client.spring.MeshConfigApplied;
import reactor.core.publisher.Flux;

/**
 * Serves the route definitions generated from the applied mesh model. On a new config it swaps the list and asks the
 * gateway to rebuild its route cache, which replaces all routes at once (Spring Cloud Gateway's CachingRouteLocator).
 */
@Component
public class MeshRouteDefinitionLocator implements RouteDefinitionLocator {

	private final ApplicationEventPublisher publisher;

	private volatile List<RouteDefinition> definitions = List.of();

	MeshRouteDefinitionLocator(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public Flux<RouteDefinition> getRouteDefinitions() {
		return Flux.fromIterable(definitions);
	}

	@EventListener
	void onApplied(MeshConfigApplied event) {
		definitions = IngressRoutes.from(event.config().model());
		publisher.publishEvent(new RefreshRoutesEvent(this));
	}
}
