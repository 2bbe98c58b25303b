package io.meshgate.proxy.routing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Picks one destination of a route by the weights in its split (percentages adding up to 100). */
final class WeightedSplit {

	private WeightedSplit() {
	}

	static WeightedTarget pick(List<WeightedTarget> to) {
		if (to.size() == 1) {
			return to.get(0);
		}
		int roll = ThreadLocalRandom.current().nextInt(100);
		for (WeightedTarget target : to) {
			roll -= target.weight();
			if (roll < 0) {
				return target;
			}
		}
		return to.get(to.size() - 1);
	}
}
