package io.meshgate.proxy.balancer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.meshgate.model.LoadBalancer;
import io.meshgate.model.OutlierDetection;
import io.meshgate.model.ServiceSpec;
import io.meshgate.proxy.resilience.RetryBudget;
import io.meshgate.proxy.resilience.RetryPolicy;
import io.micrometer.core.instrument.Counter;

/**
 * One service as the calling proxy balances it, in one routing snapshot: its endpoints (with their statistics), how
 * one is picked, when one is ejected, its timeout, retry policy and request limit. The state that must outlive a
 * snapshot (endpoint statistics and ejections, the retry budget, requests in flight, the round-robin turn) is carried
 * into the next one by {@link RoutingTable}, so a commit or a registry change resets none of it.
 */
public final class ServiceBalancer {

	private final List<EndpointStats> endpoints;

	private final Duration timeout;

	private final Duration idleTimeout;

	private final LoadBalancer strategy;

	private final OutlierDetection detection;

	private final RetryPolicy retries;

	private final int maxRequests;

	private final ServiceState state;

	ServiceBalancer(ServiceSpec spec, List<EndpointStats> endpoints, ServiceState state) {
		this.endpoints = endpoints;
		this.state = state;
		this.timeout = spec == null ? null : spec.timeout();
		this.idleTimeout = spec == null ? null : spec.idleTimeout();
		this.strategy = spec == null ? LoadBalancer.P2C_EWMA : spec.loadBalancer();
		this.detection = spec == null ? OutlierDetection.DEFAULT : spec.outlierDetection();
		this.retries = spec == null || spec.retries() == null || spec.retries().attempts() == 0 ? null
				: new RetryPolicy(spec.retries());
		this.maxRequests = spec == null || spec.maxRequests() == null ? 0 : spec.maxRequests();
	}

	public List<EndpointStats> endpoints() {
		return endpoints;
	}

	/** Deadline for the response head, over every try; {@code null}: none. */
	public Duration timeout() {
		return timeout;
	}

	/** How long a streaming response may stall before it is cut; {@code null}: never. */
	public Duration idleTimeout() {
		return idleTimeout;
	}

	/** {@code null}: calls to this service are not retried. */
	public RetryPolicy retries() {
		return retries;
	}

	public RetryBudget budget() {
		return state.budget;
	}

	/**
	 * An endpoint for a try, never one that is ejected or {@code avoid} (the endpoint a retry leaves) while another is
	 * there. The caller counts it as started.
	 */
	public EndpointStats pick(EndpointStats avoid) {
		return switch (strategy) {
			case P2C_EWMA -> PowerOfTwoChoices.pick(endpoints, avoid, false);
			case LEAST_REQUEST -> PowerOfTwoChoices.pick(endpoints, avoid, true);
			case ROUND_ROBIN -> PowerOfTwoChoices.next(endpoints, avoid, state.turn.getAndIncrement());
		};
	}

	/** Whether one more request may go to the service ({@code max-requests}); a {@code true} is undone by {@link #release}. */
	public boolean admit() {
		if (maxRequests == 0) {
			return true;
		}
		if (state.inFlight.incrementAndGet() > maxRequests) {
			state.inFlight.decrementAndGet();
			return false;
		}
		return true;
	}

	public void release() {
		if (maxRequests != 0) {
			state.inFlight.decrementAndGet();
		}
	}

	/**
	 * How a try on {@code endpoint} went: a latency sample, and outlier detection on failures in a row or on its share
	 * of failures.
	 */
	public void completed(EndpointStats endpoint, boolean success, long nanos) {
		int failures = endpoint.completed(success, nanos);
		if (success || !detection.enabled()) {
			return;
		}
		boolean inARow = detection.consecutiveFailures() > 0 && failures >= detection.consecutiveFailures();
		boolean share = detection.failurePercent() != null
				&& endpoint.failurePercent(detection.minimumRequests()) >= detection.failurePercent();
		if (inARow || share) {
			eject(endpoint);
		}
	}

	/**
	 * Ejects {@code endpoint} unless that would leave too few: at most {@code max-ejection-percent} of the endpoints
	 * out, at least one of two or more, never the last. Rare (a failure path), so it counts the ejected by scanning.
	 */
	private void eject(EndpointStats endpoint) {
		synchronized (state) { // one lock per service, whichever snapshot the try began in
			ejectUnderLock(endpoint);
		}
	}

	private void ejectUnderLock(EndpointStats endpoint) {
		int size = endpoints.size();
		int allowed = detection.maxEjectionPercent() == 0 || size < 2 ? 0
				: Math.min(size - 1, Math.max(1, size * detection.maxEjectionPercent() / 100));
		long now = endpoint.now();
		int out = 0;
		for (EndpointStats other : endpoints) {
			if (other.ejected(now)) {
				out++;
			}
		}
		if (endpoint.ejected(now) || out >= allowed) {
			return;
		}
		endpoint.eject(now, detection.baseEjectionTime().toNanos(), detection.maxEjectionTime().toNanos());
		state.ejections.increment();
	}

	ServiceState state() {
		return state;
	}

	/** What a service keeps across snapshots. */
	static final class ServiceState {

		final RetryBudget budget = new RetryBudget();

		final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger turn = new AtomicInteger();

		final Counter ejections;

		ServiceState(Counter ejections) {
			this.ejections = ejections;
		}
	}
}
