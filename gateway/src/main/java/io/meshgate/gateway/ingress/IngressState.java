package io.meshgate.gateway.ingress;

import org.springframework.context.event.EventListener;

import io.meshgate.client.ConfigSync;
import io.meshgate.client.spring.MeshConfigApplied;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.balancer.RoutingTableHolder;

/**
 * What the ingress path reads per request: the route index (rebuilt when a config applies) and the services'
 * endpoints with their load statistics (rebuilt when the config or the registry changes), each swapped whole.
 */
final class IngressState implements ConfigSync.Listener {

	private final RoutingTableHolder routing = new RoutingTableHolder();

	private volatile IngressTable ingress = IngressTable.empty();

	IngressState(ConfigSync sync) {
		sync.addListener(this);
		routing.endpoints(sync.endpoints());
	}

	IngressTable ingress() {
		return ingress;
	}

	RoutingTable routing() {
		return routing.current();
	}

	/** On the config apply thread, before the version counts as applied: once applied, requests see it. */
	@EventListener
	void onApplied(MeshConfigApplied event) {
		routing.apply(event.config());
		ingress = IngressTable.of(event.config().model());
	}

	@Override
	public void endpoints(EndpointSet update) {
		routing.endpoints(update);
	}
}
