package io.meshgate.proxy.routing;

import java.util.List;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;

/**
 * A route's {@code to}: picks the destination service of the matched route by weight (a single destination takes
 * every request) and sets it, with its metrics, on the exchange.
 */
public final class SplitStep implements Step {

	public static final SplitStep INSTANCE = new SplitStep();

	private SplitStep() {
	}

	@Override
	public Verdict apply(Exchange exchange) {
		List<WeightedTarget> to = exchange.targets();
		if (to == null || to.isEmpty()) {
			return Verdict.NEXT;
		}
		WeightedTarget target = WeightedSplit.pick(to);
		exchange.destination(target.service(), target.meters());
		return Verdict.NEXT;
	}
}
