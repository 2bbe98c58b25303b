package io.meshgate.model.protocol;

import java.net.URI;
import java.util.List;

/**
 * What a node's agent tells the registry: the healthy local workloads it fronts and where its inbound listener is.
 * Sent with {@code PUT /mesh/v1/registry/nodes/{node}} on start, on every change, and as the heartbeat that keeps
 * the lease; {@code DELETE} on clean shutdown.
 *
 * @param node           the node's name ({@code node-a})
 * @param inboundAddress where other agents and the gateway reach the node's inbound listener
 * @param services       the services with a healthy workload on the node
 * @param ttlSeconds     the lease: the node's endpoints leave the registry this long after its last heartbeat
 * @param metricsAddress where Prometheus scrapes the node's agent (its admin port), listed by the control plane's
 *                       service discovery; {@code null}: not scraped through discovery
 */
public record Registration(String node, URI inboundAddress, List<String> services, int ttlSeconds,
		URI metricsAddress) {

	public Registration {
		services = services == null ? List.of() : List.copyOf(services);
	}

	public Registration(String node, URI inboundAddress, List<String> services, int ttlSeconds) {
		this(node, inboundAddress, services, ttlSeconds, null);
	}
}
