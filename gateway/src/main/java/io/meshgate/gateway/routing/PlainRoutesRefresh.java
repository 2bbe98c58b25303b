package io.meshgate.gateway.routing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.meshgate.client.spring.MeshConfigApplied;

/**
 * Rebuilds Spring Cloud Gateway's routes (the plain routes of gateway.yml, already in the refreshed Environment) when
 * a config applies, and waits for it: config sync records the version as applied only after this returns, so health
 * UP means the new routes are live. The model's own ingress routes are not Spring Cloud Gateway routes (see
 * IngressProxy).
 */
@Component
class PlainRoutesRefresh {

	private static final Log logger = LogFactory.getLog(PlainRoutesRefresh.class);

	private static final Duration REFRESH_DEADLINE = Duration.ofSeconds(5);

	private final ApplicationEventPublisher publisher;

	private volatile CountDownLatch pendingRefresh;

	PlainRoutesRefresh(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	/** Runs on config sync's apply thread, never an event loop. */
	@EventListener
	void onApplied(MeshConfigApplied event) throws InterruptedException {
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
