package io.meshgate.gateway.routing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
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

	private static final Log logger = LogFactory.getLog(MeshRouteDefinitionLocator.class);

	private static final Duration REFRESH_DEADLINE = Duration.ofSeconds(5);

	private volatile List<RouteDefinition> definitions = List.of();

	private volatile CountDownLatch pendingRefresh;

	MeshRouteDefinitionLocator(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public Flux<RouteDefinition> getRouteDefinitions() {
		return Flux.fromIterable(definitions);
	}

	/**
	 * Runs on config sync's apply thread (never an event loop), and returns once the gateway has swapped its routes:
	 * config sync then records the version as applied, so health UP means the new routes are live.
	 */
	@EventListener
	void onApplied(MeshConfigApplied event) throws InterruptedException {
		definitions = IngressRoutes.from(event.config().model());
		CountDownLatch refreshed = new CountDownLatch(1);
		pendingRefresh = refreshed;
		publisher.publishEvent(new RefreshRoutesEvent(this));
		if (!refreshed.await(REFRESH_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
			logger.warn("Routes not refreshed within " + REFRESH_DEADLINE.toMillis() + " ms of applying config "
					+ event.config().version());
		}
	}

	@EventListener
	void onRefreshed(RefreshRoutesResultEvent event) {
		CountDownLatch pending = pendingRefresh;
		if (pending != null) {
			pending.countDown();
		}
	}
}
