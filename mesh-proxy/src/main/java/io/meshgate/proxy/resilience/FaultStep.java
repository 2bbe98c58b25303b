package io.meshgate.proxy.resilience;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.meshgate.model.Fault;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A route's {@code fault}: delays a share of its requests (a late answer, so no event loop waits) and answers a share
 * with an error instead of forwarding them. Runs once the route and destination are known, so what it does is counted
 * under them, and before balancing, so an aborted request never takes an endpoint. Compiled only when some route has
 * a fault: other configs pay nothing for it.
 */
public final class FaultStep implements Step {

	private final Map<String, Compiled> byRoute;

	private FaultStep(Map<String, Compiled> byRoute) {
		this.byRoute = byRoute;
	}

	/** The step for {@code config}'s routes, or {@code null} when no route injects faults. */
	public static FaultStep compile(MeshConfig config) {
		Map<String, Compiled> byRoute = new HashMap<>();
		for (Route route : config.routes()) {
			if (route.fault() != null) {
				byRoute.put(route.id(), new Compiled(route.id(), route.fault()));
			}
		}
		return byRoute.isEmpty() ? null : new FaultStep(Map.copyOf(byRoute));
	}

	@Override
	public Verdict apply(Exchange exchange) {
		Compiled fault = byRoute.get(exchange.route());
		if (fault == null) {
			return Verdict.NEXT;
		}
		ThreadLocalRandom random = ThreadLocalRandom.current();
		Verdict after = fault.abort != null && random.nextDouble(100) < fault.abortPercent ? fault.abort : Verdict.NEXT;
		if (fault.delayNanos > 0 && random.nextDouble(100) < fault.delayPercent) {
			// completed by the JDK's delay thread; the pipeline resumes on the request's event loop
			return Verdict.later(CompletableFuture.supplyAsync(() -> after,
					CompletableFuture.delayedExecutor(fault.delayNanos, TimeUnit.NANOSECONDS, Runnable::run)));
		}
		return after;
	}

	private static final class Compiled {

		private final double delayPercent;

		private final long delayNanos;

		private final double abortPercent;

		private final ProxyError abort;

		Compiled(String route, Fault fault) {
			this.delayPercent = fault.delay() == null ? 0 : fault.delay().percent();
			this.delayNanos = fault.delay() == null ? 0 : fault.delay().duration().toNanos();
			this.abortPercent = fault.abort() == null ? 0 : fault.abort().percent();
			this.abort = fault.abort() == null ? null
					: new ProxyError(HttpResponseStatus.valueOf(fault.abort().status()), Outcome.FAULT,
							"fault injected by route '" + route + "'");
		}
	}
}
