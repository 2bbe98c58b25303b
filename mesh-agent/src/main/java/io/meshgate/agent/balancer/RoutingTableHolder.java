package io.meshgate.agent.balancer;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.meshgate.client.ConfigSync;
import io.meshgate.client.spring.MeshConfigApplied;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.protocol.EndpointSet;

/** The current routing table, swapped whole when the applied config or the registry's endpoints change. */
@Component
public class RoutingTableHolder implements ConfigSync.Listener {

	private volatile RoutingTable table = RoutingTable.empty();

	private volatile MeshConfig config = MeshConfig.empty();

	private volatile EndpointSet endpoints = EndpointSet.empty();

	RoutingTableHolder(ConfigSync sync) {
		sync.addListener(this);
		endpoints = sync.endpoints();
	}

	public RoutingTable current() {
		return table;
	}

	@EventListener
	void onApplied(MeshConfigApplied event) {
		config = event.config().model();
		rebuild();
	}

	@Override
	public void endpoints(EndpointSet update) {
		endpoints = update;
		rebuild();
	}

	private synchronized void rebuild() {
		table = RoutingTable.build(config, endpoints, table.statistics());
	}
}
