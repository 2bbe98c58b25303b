package io.meshgate.agent;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import io.meshgate.proxy.core.ForwardedHeaders;
import io.meshgate.proxy.core.ListenerPolicy;
import io.meshgate.proxy.core.PathNormaliser;
import io.meshgate.proxy.transport.limits.ListenerLimits;
import io.meshgate.proxy.transport.limits.UpstreamLimits;

/**
 * The agent's own settings, {@code meshgate.agent.*} (per node, from environment variables or arguments, see
 * {@link AgentSettings}); the mesh model comes from the control plane.
 *
 * @param node                the node's name, unique in the mesh
 * @param adminPort           admin listener: health, info, prometheus, mesh (actuator-compatible paths)
 * @param bind                address the inbound listener binds to (other nodes and the gateway call it)
 * @param outboundBind        address the outbound listener binds to: loopback by default, so only the node's own
 *                            apps can use the agent as their proxy into the mesh
 * @param adminBind           address the admin port binds to: loopback by default
 * @param advertiseHost       host other agents and the gateway use to reach this node's inbound listener
 * @param outboundPort        listener for local apps calling the mesh
 * @param inboundPort         listener for other agents and the gateway calling local workloads
 * @param workloads           the local workloads this agent fronts: service name to address
 * @param registrationTtl     lease in the registry; heartbeats come every third of it
 * @param healthCheckInterval how often local workloads are probed (TCP connect)
 * @param connectTimeout      connect timeout to endpoints and workloads
 * @param maxHeaderSize       largest request header block accepted (larger: 431)
 * @param eventLoops          event loops of the listeners, upstream connections and admin port
 * @param upstreamTrustCertificates PEM file of the CA certificates trusted for {@code https://} static endpoints
 *                            (absent: the JDK's trust store); host names are verified either way
 * @param encodedSlashes      {@code refuse} (400, the default) or {@code pass}: encoded {@code /} and {@code \} in
 *                            request paths
 * @param via                 whether forwarded requests and responses get {@code Via: 1.1 meshgate}
 * @param headerTimeout       every listener: from a request's first byte to the end of its head (then 408, closed)
 * @param idleTimeout         every listener: a connection with no request in flight is closed after it
 * @param maxConnections      every listener: connections open at once (more are closed as they come)
 * @param maxConnectionsPerEndpoint connections to one endpoint or workload at most
 * @param maxPendingPerEndpoint requests waiting for a connection to one endpoint at most (more: 503 overloaded)
 * @param outboundService     the local workload the outbound listener's callers are: the identity
 *                            ({@code spiffe://<td>/svc/<service>}) it calls other nodes with, and the golden metrics'
 *                            source. Absent: the node's only workload; with several, the node's own identity
 *                            ({@code unknown} in metrics)
 * @param outboundPorts       more outbound listeners, one per local workload (service to port, on
 *                            {@code outbound-bind}): calls through one go as that workload, as Consul's upstream
 *                            ports do. Give each workload of a node that calls out its own port
 */
public record AgentProperties(@DefaultValue("node-a") String node, @DefaultValue("15000") int adminPort,
		@DefaultValue("127.0.0.1") String bind, @DefaultValue("127.0.0.1") String outboundBind,
		@DefaultValue("127.0.0.1") String adminBind,
		@DefaultValue("127.0.0.1") String advertiseHost, @DefaultValue("15001") int outboundPort,
		@DefaultValue("15006") int inboundPort, Map<String, URI> workloads, @DefaultValue("3s") Duration registrationTtl,
		@DefaultValue("500ms") Duration healthCheckInterval, @DefaultValue("1s") Duration connectTimeout,
		@DefaultValue("16KB") DataSize maxHeaderSize, @DefaultValue("1") int eventLoops, java.nio.file.Path upstreamTrustCertificates,
		@DefaultValue("refuse") PathNormaliser.EncodedSlashes encodedSlashes, @DefaultValue("true") boolean via,
		@DefaultValue("10s") Duration headerTimeout, @DefaultValue("60s") Duration idleTimeout,
		@DefaultValue("10000") int maxConnections, @DefaultValue("1024") int maxConnectionsPerEndpoint,
		@DefaultValue("1024") int maxPendingPerEndpoint, String outboundService, Map<String, Integer> outboundPorts) {

	public AgentProperties {
		workloads = workloads == null ? Map.of() : Map.copyOf(workloads);
		outboundPorts = outboundPorts == null ? Map.of() : Map.copyOf(outboundPorts);
		if (outboundService != null && !outboundService.isBlank() && !workloads.containsKey(outboundService)) {
			throw new IllegalArgumentException("meshgate.agent.outbound-service: '" + outboundService
					+ "' is not one of this node's workloads " + new java.util.TreeSet<>(workloads.keySet()));
		}
		java.util.Set<Integer> ports = new java.util.HashSet<>(java.util.List.of(adminPort, outboundPort, inboundPort));
		for (Map.Entry<String, Integer> extra : new java.util.TreeMap<>(outboundPorts).entrySet()) {
			String key = "meshgate.agent.outbound-ports." + extra.getKey();
			if (!workloads.containsKey(extra.getKey())) {
				throw new IllegalArgumentException(key + ": '" + extra.getKey() + "' is not one of this node's workloads "
						+ new java.util.TreeSet<>(workloads.keySet()));
			}
			if (extra.getKey().equals(outboundService)) {
				throw new IllegalArgumentException(key + ": '" + extra.getKey()
						+ "' already calls out through outbound-port (outbound-service): one port per workload");
			}
			if (extra.getValue() != 0 && !ports.add(extra.getValue())) {
				throw new IllegalArgumentException(key + ": port " + extra.getValue() + " is taken by another listener");
			}
		}
		try {
			new ListenerLimits(headerTimeout, idleTimeout, maxConnections);
			new UpstreamLimits(maxConnectionsPerEndpoint, maxPendingPerEndpoint);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("meshgate.agent." + ex.getMessage(), ex);
		}
	}

	/**
	 * The workload the outbound listener's callers are ({@code outbound-service}, else the node's only workload), or
	 * {@code unknown}: the node then calls as itself.
	 */
	public String outboundSource() {
		if (outboundService != null && !outboundService.isBlank()) {
			return outboundService;
		}
		if (workloads.size() == 1 && outboundPorts.isEmpty()) {
			return workloads.keySet().iterator().next();
		}
		return "unknown";
	}

	/** The rules of both listeners: paths by {@code encoded-slashes}; forwarded headers as the mesh sent them. */
	public ListenerPolicy listenerPolicy() {
		return new ListenerPolicy(new PathNormaliser(encodedSlashes), ForwardedHeaders.MESH, via);
	}

	/** Each listener's deadlines and connection cap (checked here, so a bad value stops the start naming it). */
	public ListenerLimits listenerLimits() {
		return new ListenerLimits(headerTimeout, idleTimeout, maxConnections);
	}

	public UpstreamLimits upstreamLimits() {
		return new UpstreamLimits(maxConnectionsPerEndpoint, maxPendingPerEndpoint);
	}

	public URI inboundAddress() {
		return URI.create("http://" + advertiseHost + ":" + inboundPort);
	}
}
