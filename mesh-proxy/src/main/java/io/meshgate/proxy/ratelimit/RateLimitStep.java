package io.meshgate.proxy.ratelimit;

import java.util.function.Supplier;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;

/**
 * {@code rate-limit}, a pipeline step: a route's limit where the route is served (the gateway's ingress, an agent's
 * outbound side), a service's limit in front of its workloads (an agent's inbound side, after authorization, so calls
 * it refuses spend no tokens). Answers 429 {@code rate_limited} with {@code Retry-After}, {@code RateLimit-Policy} and
 * {@code RateLimit}; a shared (Redis) limit answers later.
 */
public final class RateLimitStep implements Step {

	private final Supplier<RateLimits> limits;

	private final boolean byRoute;

	private RateLimitStep(Supplier<RateLimits> limits, boolean byRoute) {
		this.limits = limits;
		this.byRoute = byRoute;
	}

	/** The limits of the routes the exchange matched, from one config (a snapshot's step). */
	public static RateLimitStep forRoutes(RateLimits limits) {
		return new RateLimitStep(() -> limits, true);
	}

	/** The limits of the service called, from the config applied now (read per request: one volatile read). */
	public static RateLimitStep forServices(Supplier<RateLimits> limits) {
		return new RateLimitStep(limits, false);
	}

	@Override
	public Verdict apply(Exchange exchange) {
		RateLimits current = limits.get();
		Limiter limiter = byRoute ? current.route(exchange.route()) : current.service(exchange.destination());
		return limiter == null ? Verdict.NEXT : limiter.check(exchange);
	}
}
