package io.meshgate.proxy.balancer;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Outcome;

/**
 * Tells the endpoint an exchange went to how it went, so the balancer's load signals stay true: its latency to the
 * response head (a 5xx counts as a failure), or a failure with the time it took; a caller's cancel only takes the
 * request off the endpoint, without a sample, so a client giving up never steers traffic away from a healthy endpoint.
 */
public final class BalancerFeedback implements ExchangeObserver {

	public static final BalancerFeedback INSTANCE = new BalancerFeedback();

	private BalancerFeedback() {
	}

	@Override
	public void responded(Exchange exchange) {
		EndpointStats endpoint = exchange.endpoint();
		if (endpoint != null) {
			endpoint.completed(exchange.status() < 500, exchange.headNanos());
		}
	}

	@Override
	public void ended(Exchange exchange) {
		EndpointStats endpoint = exchange.endpoint();
		if (endpoint == null || exchange.hasResponded()) {
			return; // no endpoint, or told already at the response head
		}
		if (exchange.outcome() == Outcome.CANCELLED) {
			endpoint.released();
		}
		else {
			endpoint.completed(false, exchange.durationNanos());
		}
	}
}
