package io.meshgate.proxy.routing;

import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.balancer.ServiceBalancer;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;

/**
 * Balancing: admits the request under the service's {@code max-requests}, picks one endpoint of the destination
 * service by its {@code load-balancer} (outlier detection's ejected endpoints left out), counts the request on it and
 * in the retry budget, and sets the hop with the service's timeout. Bound to one routing table: a registry change builds a
 * new step. Written once for the edge and the agents' outbound side.
 */
public final class BalanceStep implements Step {

	private final RoutingTable table;

	public BalanceStep(RoutingTable table) {
		this.table = table;
	}

	@Override
	public Verdict apply(Exchange exchange) {
		String name = exchange.destination();
		ServiceBalancer service = table.service(name);
		if (service == null || service.endpoints().isEmpty()) {
			return ProxyError.noEndpoint(name);
		}
		if (!service.admit()) {
			return ProxyError.overloaded(name);
		}
		if (service.retries() != null) {
			service.budget().deposit();
		}
		EndpointStats endpoint = service.pick(null);
		endpoint.started();
		exchange.endpoint(service, endpoint);
		exchange.hop(new Hop(name, endpoint.address(), exchange.forwardTarget(), endpoint.hostHeader(), true,
				service.timeout(), endpoint.isMeshNode(), service.idleTimeout()));
		return Verdict.NEXT;
	}
}
