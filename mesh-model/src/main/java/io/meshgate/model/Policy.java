package io.meshgate.model;

import java.util.List;
import java.util.Map;

/**
 * An authorization policy for one service: who may call which methods and paths. The agent in front of the service
 * enforces it on the caller's SPIFFE ID, proved by its client certificate; anything no rule allows is refused.
 *
 * @param service the protected service
 * @param allow   the rules; a request allowed by any rule passes
 */
public record Policy(String service, List<AllowRule> allow) {

	public Policy {
		allow = Immutables.list(allow);
	}

	/**
	 * @param from    calling services by name ({@code gateway} for the edge), or {@code *}; empty means any caller
	 *                with a workload identity of the mesh. A call in plain text or with a node's own identity has no
	 *                caller service and matches none of these
	 * @param methods HTTP methods; empty means any
	 * @param paths   path patterns ({@code /stock/**}, {@code /orders/*}), matched against the normalised path;
	 *                empty means any
	 * @param headers headers the request must carry exactly once, with exactly this value (names in any case);
	 *                empty means any
	 */
	public record AllowRule(List<String> from, List<String> methods, List<String> paths, Map<String, String> headers) {

		public AllowRule {
			from = Immutables.list(from);
			methods = Immutables.list(methods);
			paths = Immutables.list(paths);
			headers = Immutables.map(headers);
		}
	}
}
