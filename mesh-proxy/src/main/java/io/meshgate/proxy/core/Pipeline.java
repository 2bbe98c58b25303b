package io.meshgate.proxy.core;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.meshgate.proxy.metrics.RouteMeters;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

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

	private final ListenerPolicy policy;

	/**
	 * @param unrouted the metrics of requests answered before any route or destination was known (route
	 *                 {@code default}, destination {@code unknown})
	 */
	public Pipeline(Direction direction, List<Step> steps, ExchangeObserver observer, RouteMeters unrouted) {
		this(direction, ListenerPolicy.MESH, steps, observer, unrouted);
	}

	public Pipeline(Direction direction, ListenerPolicy policy, List<Step> steps, ExchangeObserver observer,
			RouteMeters unrouted) {
		this.direction = direction;
		this.policy = policy;
		this.steps = steps.toArray(Step[]::new);
		this.observer = observer;
		this.unrouted = unrouted;
	}

	public Direction direction() {
		return direction;
	}

	public Exchange exchange(RequestHead head) {
		return new Exchange(head, observer, unrouted, policy);
	}

	/**
	 * The exchange of a request a transport read: its head built once, with this listener's path rules.
	 * @param peerIdentity the caller's verified SPIFFE ID ({@code MeshTls.peerOf}), {@code null} over plain text
	 */
	public Exchange exchange(Protocol protocol, HttpMethod method, String target, HttpHeaders headers,
			InetSocketAddress client, String peerIdentity) {
		return exchange(RequestHead.of(direction, policy.paths(), protocol, method, target, headers, client,
				peerIdentity));
	}

	/**
	 * Runs the steps. When all decide at once (every step of this issue does) the result is final and nothing was
	 * allocated for it; {@link Decision#PENDING} means a step answers later and {@link Exchange#decided()} completes
	 * on {@code loop} (the request's event loop) with the final decision.
	 */
	public Decision decide(Exchange exchange, Executor loop) {
		ProxyError framing = Framing.check(exchange.head());
		if (framing != null) {
			return answered(exchange, framing);
		}
		String pathError = exchange.head().pathError();
		if (pathError != null) {
			return answered(exchange, ProxyError.badRequest(pathError));
		}
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
			if (verdict != Verdict.NEXT) {
				return settle(exchange, verdict, i + 1, loop);
			}
		}
		if (exchange.hop() == null) {
			return answered(exchange, ProxyError.internal("no step chose where the request goes"));
		}
		exchange.begin();
		return Decision.FORWARD;
	}

	/** What a step's verdict means for the request; {@code next} is the step after it. */
	private Decision settle(Exchange exchange, Verdict verdict, int next, Executor loop) {
		if (verdict == Verdict.NEXT) {
			return run(exchange, next, loop);
		}
		if (verdict == Verdict.PASS) {
			// the transport has acted on the request once a step answered later: too late to hand it on
			return exchange.decided == null ? Decision.PASS
					: answered(exchange, ProxyError.internal("a step passed a request after a late answer"));
		}
		if (verdict instanceof ProxyError error) {
			return answered(exchange, error);
		}
		if (exchange.decided == null) {
			exchange.decided = new CompletableFuture<>();
		}
		exchange.begin();
		((Verdict.Later) verdict).stage()
			.whenCompleteAsync((late, failure) -> resume(exchange,
					failure == null && late != null ? late : ProxyError.internal("a step failed: " + failure), next,
					loop), loop);
		return Decision.PENDING;
	}

	private void resume(Exchange exchange, Verdict late, int next, Executor loop) {
		if (exchange.hasEnded()) {
			exchange.decided.complete(Decision.ANSWER); // the caller left meanwhile: no step runs for nobody
			return;
		}
		Decision decision = settle(exchange, late, next, loop);
		if (decision != Decision.PENDING) {
			exchange.decided.complete(decision);
		}
	}

	private Decision answered(Exchange exchange, ProxyError error) {
		exchange.answer(error);
		exchange.begin();
		return Decision.ANSWER;
	}

}
