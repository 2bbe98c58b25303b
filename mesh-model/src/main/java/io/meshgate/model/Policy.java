package io.meshgate.model;

import java.util.List;

/**
 * An authorization policy for one service: who may call which methods and paths. Validated now; the agent in front of
 * the service enforces it once workload identities exist (security issue).
 *
 * @param service the protected service
 * @param allow   the rules; a request allowed by any rule passes
 */
public record Policy(String service, List<AllowRule> allow) {

	public Policy {
		allow = Immutables.list(allow);
	}

	/**
	 * @param from    calling services (their SPIFFE identities); empty means any authenticated caller
	 * @param methods HTTP methods; empty means any
	 * @param paths   path patterns; empty means any
	 */
	public record AllowRule(List<String> from, List<String> methods, List<String> paths) {

		public AllowRule {
			from = Immutables.list(from);
			methods = Immutables.list(methods);
			paths = Immutables.list(paths);
		}
	}
}
