package io.meshgate.proxy.core;

import java.util.List;

import io.meshgate.model.Retries.RetryOn;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Watches exchanges: told once when an exchange begins (the pipeline took it), at most once when the response head is
 * known, and exactly once when it ends, by whichever transport carried it. Endpoint statistics and the golden metrics
 * are observers; traces, access logs, retry budgets and outlier detection plug in here too. Called on the event loops:
 * no blocking, nothing per request above DEBUG.
 */
public interface ExchangeObserver {

	default void begun(Exchange exchange) {
	}

	/**
	 * The request is about to leave for the upstream with {@code outgoing} headers, which the observer may add to (the
	 * trace context of this hop's span). Called once at most, on the request's event loop.
	 */
	default void forwarding(Exchange exchange, HttpHeaders outgoing) {
	}

	/**
	 * A try failed for {@code reason} and the exchange goes on with another ({@link Exchange#endpoint()} is the new
	 * endpoint, {@link Exchange#retries()} counts it); {@code reason} {@code null}: it would have, but the service's
	 * retry budget was spent. Called on the request's event loop.
	 */
	default void retrying(Exchange exchange, RetryOn reason) {
	}

	/** The response status is known ({@link Exchange#status()}) and its head is on its way to the caller. */
	default void responded(Exchange exchange) {
	}

	/** {@link Exchange#outcome()}, bytes and duration are final. */
	void ended(Exchange exchange);

	/** Watches nothing. */
	ExchangeObserver NONE = exchange -> {
	};

	static ExchangeObserver of(List<ExchangeObserver> observers) {
		ExchangeObserver[] all = observers.stream()
			.filter(observer -> observer != NONE)
			.toArray(ExchangeObserver[]::new);
		if (all.length == 0) {
			return NONE;
		}
		if (all.length == 1) {
			return all[0];
		}
		return new ExchangeObserver() {

			@Override
			public void begun(Exchange exchange) {
				for (ExchangeObserver observer : all) {
					observer.begun(exchange);
				}
			}

			@Override
			public void forwarding(Exchange exchange, HttpHeaders outgoing) {
				for (ExchangeObserver observer : all) {
					observer.forwarding(exchange, outgoing);
				}
			}

			@Override
			public void retrying(Exchange exchange, RetryOn reason) {
				for (ExchangeObserver observer : all) {
					observer.retrying(exchange, reason);
				}
			}

			@Override
			public void responded(Exchange exchange) {
				for (ExchangeObserver observer : all) {
					observer.responded(exchange);
				}
			}

			@Override
			public void ended(Exchange exchange) {
				for (ExchangeObserver observer : all) {
					observer.ended(exchange);
				}
			}
		};
	}
}
