package io.meshgate.proxy.balancer;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks two endpoints at random and takes the cheaper: nearly as good as scanning all, O(1), and it never herds every
 * caller onto the one endpoint that looked best a moment ago. Endpoints outlier detection ejected, and the one a
 * retry leaves, are only taken when nothing else is left.
 */
public final class PowerOfTwoChoices {

	/** Draws before scanning: with at most half the endpoints out, two draws both missing is rare. */
	private static final int DRAWS = 3;

	private PowerOfTwoChoices() {
	}

	public static EndpointStats pick(List<EndpointStats> endpoints) {
		return pick(endpoints, null, false);
	}

	/**
	 * @param avoid        the endpoint a retry leaves ({@code null}: none)
	 * @param leastRequest compare requests in flight only, not latency (Envoy's LEAST_REQUEST)
	 */
	public static EndpointStats pick(List<EndpointStats> endpoints, EndpointStats avoid, boolean leastRequest) {
		int size = endpoints.size();
		if (size == 1) {
			return endpoints.get(0);
		}
		long now = endpoints.get(0).now();
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int draw = 0; draw < DRAWS; draw++) {
			int first = random.nextInt(size);
			int second = random.nextInt(size - 1);
			if (second >= first) {
				second++;
			}
			EndpointStats a = endpoints.get(first);
			EndpointStats b = endpoints.get(second);
			boolean useA = usable(a, avoid, now);
			boolean useB = usable(b, avoid, now);
			if (useA && useB) {
				return cost(a, leastRequest) <= cost(b, leastRequest) ? a : b;
			}
			if (useA || useB) {
				return useA ? a : b;
			}
		}
		return fallback(endpoints, avoid, now, random.nextInt(size));
	}

	/** Each endpoint in turn from {@code turn}, skipping the ejected and the one a retry leaves. */
	public static EndpointStats next(List<EndpointStats> endpoints, EndpointStats avoid, int turn) {
		int size = endpoints.size();
		if (size == 1) {
			return endpoints.get(0);
		}
		return fallback(endpoints, avoid, endpoints.get(0).now(), Math.floorMod(turn, size));
	}

	/** The first usable endpoint from {@code start} on; else any but {@code avoid}; else the one at {@code start}. */
	private static EndpointStats fallback(List<EndpointStats> endpoints, EndpointStats avoid, long now, int start) {
		int size = endpoints.size();
		EndpointStats other = null;
		for (int i = 0; i < size; i++) {
			EndpointStats candidate = endpoints.get((start + i) % size);
			if (usable(candidate, avoid, now)) {
				return candidate;
			}
			if (other == null && candidate != avoid) {
				other = candidate; // every endpoint is ejected: balancing goes on over all (Envoy's panic mode)
			}
		}
		return other != null ? other : endpoints.get(start);
	}

	private static boolean usable(EndpointStats endpoint, EndpointStats avoid, long now) {
		return endpoint != avoid && !endpoint.ejected(now);
	}

	private static double cost(EndpointStats endpoint, boolean leastRequest) {
		return leastRequest ? endpoint.outstanding() : endpoint.cost();
	}
}
