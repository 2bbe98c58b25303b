package io.meshgate.proxy.balancer;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigApplier;
import io.meshgate.client.ConfigSync;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.protocol.EndpointSet;

/**
 * The current routing table, swapped whole when config sync applies a config or the registry's endpoints change.
 * Requests read it with one volatile load; rebuilds happen off the request path.
 */
public class RoutingTableHolder implements ConfigApplier, ConfigSync.Listener {

	private volatile RoutingTable table = RoutingTable.empty();

	private MeshConfig config = MeshConfig.empty();

	private EndpointSet endpoints = EndpointSet.empty();

	public RoutingTable current() {
		return table;
	}

	@Override
	public synchronized void apply(AppliedConfig applied) {
		config = applied.model();
		rebuild();
	}

	@Override
	public synchronized void endpoints(EndpointSet update) {
		endpoints = update;
		rebuild();
	}

	private void rebuild() {
		table = RoutingTable.build(config, endpoints, table.statistics());
	}
}
