package io.meshgate.proxy.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.meshgate.proxy.metrics.RouteMeters;

/**
 * The steps one listener runs for every request, in order, and the observer of its exchanges; compiled from the
 * model into an immutable snapshot, so a config or registry change swaps the whole pipeline and a request reads it
 * once. Both transports drive it the same way: build the {@link RequestHead}, {@link #exchange} it, {@link #decide},
 * then forward or answer and report the response head and the end on the {@link Exchange}.
 */
public final class Pipeline {

	private final Direction direction;

	private final Step[] steps;

	private final ExchangeObserver observer;

	private final RouteMeters unrouted;

	/**
	 * @param unrouted the metrics of requests answered before any route or destination was known (route
	 *                 {@code default}, destination {@code unknown})
	 */
	public Pipeline(Direction direction, List<Step> steps, ExchangeObserver observer, RouteMeters unrouted) {
		this.direction = direction;
		this.steps = steps.toArray(Step[]::new);
		this.observer = observer;
		this.unrouted = unrouted;
	}

	public Direction direction() {
		return direction;
	}

	public Exchange exchange(RequestHead head) {
		return new Exchange(head, observer, unrouted);
	}

	/**
	 * Runs the steps. When all decide at once (every step of this issue does) the result is final and nothing was
	 * allocated for it; {@link Decision#PENDING} means a step answers later and {@link Exchange#decided()} completes
	 * on {@code loop} (the request's event loop) with the final decision.
	 */
	public Decision decide(Exchange exchange, Executor loop) {
		return run(exchange, 0, loop);
	}

	private Decision run(Exchange exchange, int from, Executor loop) {
		for (int i = from; i < steps.length; i++) {
			Verdict verdict;
			try {
				verdict = steps[i].apply(exchange);
			}
			catch (RuntimeException ex) {
				verdict = ProxyError.internal("step " + steps[i].getClass().getSimpleName() + " failed: " + ex);
			}
			if (verdict == Verdict.NEXT) {
				continue;
			}
			if (verdict == Verdict.PASS) {
				if (exchange.decided != null) {
					return answered(exchange, ProxyError.internal("a step passed a request after a late answer"));
				}
				return Decision.PASS;
			}
			if (verdict instanceof ProxyError error) {
				return answered(exchange, error);
			}
			Verdict.Later later = (Verdict.Later) verdict;
			if (exchange.decided == null) {
				exchange.decided = new CompletableFuture<>();
			}
			exchange.begin();
			int next = i + 1;
			later.stage().whenCompleteAsync((late, failure) -> resume(exchange, late, failure, next, loop), loop);
			return Decision.PENDING;
		}
		if (exchange.hop() == null) {
			return answered(exchange, ProxyError.internal("no step chose where the request goes"));
		}
		exchange.begin();
		return Decision.FORWARD;
	}

	private void resume(Exchange exchange, Verdict late, Throwable failure, int next, Executor loop) {
		if (exchange.hasEnded()) {
			exchange.decided.complete(Decision.ANSWER); // the caller left meanwhile: no step runs for nobody
			return;
		}
		Decision decision;
		if (failure != null || late == null) {
			decision = answered(exchange, ProxyError.internal("a step failed: " + failure));
		}
		else if (late instanceof ProxyError error) {
			decision = answered(exchange, error);
		}
		else if (late == Verdict.PASS) {
			decision = answered(exchange, ProxyError.internal("a step passed a request after a late answer"));
		}
		else {
			// NEXT, or another late answer which run() chains the same way
			decision = late instanceof Verdict.Later ? runLater(exchange, (Verdict.Later) late, next - 1, loop)
					: run(exchange, next, loop);
		}
		if (decision != Decision.PENDING) {
			exchange.decided.complete(decision);
		}
	}

	private Decision runLater(Exchange exchange, Verdict.Later later, int at, Executor loop) {
		later.stage().whenCompleteAsync((late, failure) -> resume(exchange, late, failure, at + 1, loop), loop);
		return Decision.PENDING;
	}

	private Decision answered(Exchange exchange, ProxyError error) {
		exchange.answer(error);
		exchange.begin();
		return Decision.ANSWER;
	}

}
