package io.meshgate.proxy.balancer;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Outcome;

/**
 * Tells the endpoint an exchange's last try went to how it went (a retry tells the ones before), so the balancer's load signals stay true: its latency to the
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
			completed(exchange, endpoint, exchange.status() < 500, exchange.tryNanos());
		}
	}

	@Override
	public void ended(Exchange exchange) {
		ServiceBalancer service = exchange.service();
		if (service != null) {
			service.release();
		}
		EndpointStats endpoint = exchange.endpoint();
		if (endpoint == null || exchange.hasResponded()) {
			return; // no endpoint, or told already at the response head
		}
		if (exchange.outcome() == Outcome.CANCELLED) {
			endpoint.released();
		}
		else {
			completed(exchange, endpoint, false, exchange.tryNanos());
		}
	}

	/** Through the service when balancing picked the endpoint, so outlier detection sees it too. */
	private static void completed(Exchange exchange, EndpointStats endpoint, boolean success, long nanos) {
		ServiceBalancer service = exchange.service();
		if (service != null) {
			service.completed(endpoint, success, nanos);
		}
		else {
			endpoint.completed(success, nanos);
		}
	}
}
