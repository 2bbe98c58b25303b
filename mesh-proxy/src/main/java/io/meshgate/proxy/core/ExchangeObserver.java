package io.meshgate.proxy.core;

import java.util.List;

/**
 * Watches exchanges: told once when an exchange begins (the pipeline took it), at most once when the response head is
 * known, and exactly once when it ends, by whichever transport carried it. Endpoint statistics and the golden metrics
 * are observers; traces, access logs, retry budgets and outlier detection plug in here too. Called on the event loops:
 * no blocking, nothing per request above DEBUG.
 */
public interface ExchangeObserver {

	default void begun(Exchange exchange) {
	}

	/** The response status is known ({@link Exchange#status()}) and its head is on its way to the caller. */
	default void responded(Exchange exchange) {
	}

	/** {@link Exchange#outcome()}, bytes and duration are final. */
	void ended(Exchange exchange);

	static ExchangeObserver of(List<ExchangeObserver> observers) {
		ExchangeObserver[] all = observers.toArray(ExchangeObserver[]::new);
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
