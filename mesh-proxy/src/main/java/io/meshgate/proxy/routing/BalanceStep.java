package io.meshgate.proxy.routing;

import java.util.List;

import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.PowerOfTwoChoices;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;

/**
 * Balancing: picks one endpoint of the destination service (power of two choices over latency and load), counts the
 * request on it, and sets the hop with the service's timeout. Bound to one routing table: a registry change builds a
 * new step. Written once for the edge and the agents' outbound side.
 */
public final class BalanceStep implements Step {

	private final RoutingTable table;

	public BalanceStep(RoutingTable table) {
		this.table = table;
	}

	@Override
	public Verdict apply(Exchange exchange) {
		String service = exchange.destination();
		List<EndpointStats> endpoints = table.endpoints(service);
		if (endpoints.isEmpty()) {
			return ProxyError.noEndpoint(service);
		}
		EndpointStats endpoint = PowerOfTwoChoices.pick(endpoints);
		endpoint.started();
		exchange.endpoint(endpoint);
		exchange.hop(new Hop(service, endpoint.address(), exchange.forwardTarget(),
				endpoint.hostHeader(), true, table.timeout(service), endpoint.isMeshNode()));
		return Verdict.NEXT;
	}
}
