package io.meshgate.proxy.balancer;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.meshgate.model.Destination;

/** Picks one destination of a route by the weights in its split (percentages adding up to 100). */
public final class WeightedSplit {

	private WeightedSplit() {
	}

	public static String pick(List<Destination> to) {
		if (to.size() == 1) {
			return to.get(0).service();
		}
		int roll = ThreadLocalRandom.current().nextInt(100);
		for (Destination destination : to) {
			roll -= destination.weight();
			if (roll < 0) {
				return destination.service();
			}
		}
		return to.get(to.size() - 1).service();
	}
}
