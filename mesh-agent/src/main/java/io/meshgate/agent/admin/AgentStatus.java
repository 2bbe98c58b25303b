package io.meshgate.agent.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.meshgate.agent.AgentProperties;
import io.meshgate.agent.ProxyListeners;
import io.meshgate.client.identity.Identities;
import io.meshgate.proxy.routing.RoutingState;
import io.meshgate.agent.workload.WorkloadHealth;

/**
 * The agent's section of {@code /actuator/mesh}: node, its identities (SPIFFE IDs, expiry), listeners, local
 * workloads, endpoints with their load.
 */
public class AgentStatus {

	private final AgentProperties properties;

	private final ProxyListeners listeners;

	private final WorkloadHealth workloads;

	private final RoutingState tables;

	private final Identities identity;

	public AgentStatus(AgentProperties properties, ProxyListeners listeners, WorkloadHealth workloads,
			RoutingState tables, Identities identity) {
		this.identity = identity;
		this.properties = properties;
		this.listeners = listeners;
		this.workloads = workloads;
		this.tables = tables;
	}

	public Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("node", properties.node());
		status.put("identity", identity.status());
		status.put("listeners", listeners.isRunning()
				? Map.of("outbound", properties.outboundBind() + ":" + listeners.outboundPort(), "inbound",
						properties.bind() + ":" + listeners.inboundPort())
				: Map.of());
		Map<String, Object> local = new TreeMap<>();
		properties.workloads().forEach((service, address) -> local.put(service,
				Map.of("address", address.toString(), "healthy", workloads.healthy().getOrDefault(service, false))));
		status.put("workloads", local);
		status.put("endpoints", tables.current().describeEndpoints());
		return status;
	}
}
