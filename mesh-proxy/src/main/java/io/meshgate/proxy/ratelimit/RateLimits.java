package io.meshgate.proxy.ratelimit;

import java.util.HashMap;
import java.util.Map;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.RateLimit;
import io.meshgate.model.Route;
import io.meshgate.model.ServiceSpec;

/**
 * The rate limits of one config, by route id and by service name, compiled when a config applies. A limit whose
 * settings did not change is carried over with its buckets, so a commit neither refills nor empties them.
 */
public final class RateLimits {

	public static final RateLimits NONE = new RateLimits(Map.of(), Map.of());

	private final Map<String, Limiter> byRoute;

	private final Map<String, Limiter> byService;

	private RateLimits(Map<String, Limiter> byRoute, Map<String, Limiter> byService) {
		this.byRoute = byRoute;
		this.byService = byService;
	}

	/**
	 * @param previous the limits in service, whose buckets carry over
	 * @param shared   where {@code scope: global} limits keep their buckets; {@code null}: this proxy keeps none (an
	 *                 agent), and such limits are left out (validation allows them on edge routes only)
	 */
	public static RateLimits compile(MeshConfig config, RateLimits previous, SharedBuckets shared,
			StoreFailures failures) {
		Map<String, Limiter> routes = new HashMap<>();
		for (Route route : config.routes()) {
			Limiter limiter = limiter(route.id(), "route '" + route.id() + "'", route.rateLimit(),
					previous.byRoute.get(route.id()), config, shared, failures);
			if (limiter != null) {
				routes.put(route.id(), limiter);
			}
		}
		Map<String, Limiter> services = new HashMap<>();
		config.services().forEach((name, spec) -> {
			RateLimit limit = spec == null ? null : spec.rateLimit();
			Limiter limiter = limiter(name, "service '" + name + "'", limit, previous.byService.get(name), config, null,
					failures);
			if (limiter != null) {
				services.put(name, limiter);
			}
		});
		return new RateLimits(Map.copyOf(routes), Map.copyOf(services));
	}

	private static Limiter limiter(String id, String name, RateLimit limit, Limiter previous, MeshConfig config,
			SharedBuckets shared, StoreFailures failures) {
		if (limit == null) {
			return null;
		}
		if (previous instanceof LocalLimiter && limit.scope() == RateLimit.Scope.LOCAL && previous.spec.equals(limit)) {
			return previous; // its buckets are here; a shared limit's are in the store, and its settings may change
		}
		if (limit.scope() == RateLimit.Scope.GLOBAL) {
			return shared == null ? null
					: new SharedLimiter(id, name, limit, shared, config.rateLimiting(), failures);
		}
		return new LocalLimiter(id, name, limit);
	}

	public boolean hasRouteLimits() {
		return !byRoute.isEmpty();
	}

	Limiter route(String id) {
		return byRoute.get(id);
	}

	Limiter service(String name) {
		return byService.get(name);
	}
}
