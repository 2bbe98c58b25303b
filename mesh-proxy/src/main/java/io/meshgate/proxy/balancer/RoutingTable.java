package io.meshgate.proxy.balancer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.ServiceSpec;
import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;

/**
 * An immutable snapshot of the services a proxy balances over: each service's endpoints with their load statistics
 * and its timeout. Rebuilt (off the request path) when the config or the registry changes; statistics carry over for
 * endpoints that stay.
 */
public final class RoutingTable {

	private final MeshConfig config;

	private final Map<String, List<EndpointStats>> endpointsByService;

	private RoutingTable(MeshConfig config, Map<String, List<EndpointStats>> endpointsByService) {
		this.config = config;
		this.endpointsByService = endpointsByService;
	}

	public static RoutingTable empty() {
		return build(MeshConfig.empty(), EndpointSet.empty(), Map.of());
	}

	/**
	 * @param previous statistics of the current table by endpoint key, reused so a rebuild forgets nothing
	 */
	public static RoutingTable build(MeshConfig config, EndpointSet registry, Map<String, EndpointStats> previous) {
		Map<String, List<EndpointStats>> endpoints = new HashMap<>();
		for (Map.Entry<String, ServiceSpec> service : config.services().entrySet()) {
			String name = service.getKey();
			List<EndpointStats> stats = new ArrayList<>();
			List<URI> fixed = service.getValue() == null ? List.of() : service.getValue().endpoints();
			// static endpoints serve services outside the mesh, reached directly rather than through an agent; the
			// model says where such a service runs, so a registry entry for it never replaces (or joins) them
			for (URI endpoint : fixed) {
				stats.add(reuse(previous, name, EndpointStats.STATIC, origin(endpoint)));
			}
			if (fixed.isEmpty()) {
				for (Endpoint endpoint : registry.of(name)) {
					stats.add(reuse(previous, name, endpoint.node(), origin(endpoint.address())));
				}
			}
			endpoints.put(name, List.copyOf(stats));
		}
		return new RoutingTable(config, Map.copyOf(endpoints));
	}

	public List<EndpointStats> endpoints(String service) {
		return endpointsByService.getOrDefault(service, List.of());
	}

	public Map<String, List<EndpointStats>> allEndpoints() {
		return endpointsByService;
	}

	/** Each service's endpoints with their load statistics, for the status endpoints. */
	public Map<String, List<Map<String, Object>>> describeEndpoints() {
		Map<String, List<Map<String, Object>>> described = new TreeMap<>();
		endpointsByService.forEach((service, list) -> {
			List<Map<String, Object>> rows = new ArrayList<>();
			for (EndpointStats stats : list) {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("node", stats.node());
				row.put("address", stats.address());
				row.put("outstanding", stats.outstanding());
				row.put("ewmaMillis", Math.round(stats.ewmaMillis() * 1000) / 1000.0);
				row.put("requests", stats.requests());
				row.put("failures", stats.failures());
				rows.add(row);
			}
			described.put(service, rows);
		});
		return described;
	}

	public Duration timeout(String service) {
		ServiceSpec spec = config.services().get(service);
		return spec == null ? null : spec.timeout();
	}

	/** Statistics by key, to carry over into the next table. */
	public Map<String, EndpointStats> statistics() {
		Map<String, EndpointStats> all = new HashMap<>();
		endpointsByService.values().forEach(list -> list.forEach(s -> all.put(key(s.service(), s.address()), s)));
		return all;
	}

	private static EndpointStats reuse(Map<String, EndpointStats> previous, String service, String node, String address) {
		EndpointStats known = previous.get(key(service, address));
		return known != null ? known : new EndpointStats(service, node, address);
	}

	private static String key(String service, String address) {
		return service + "|" + address;
	}

	/** {@code http://host:port} without a path: the forwarder appends the request's own. */
	private static String origin(URI address) {
		int port = address.getPort() > 0 ? address.getPort() : "https".equals(address.getScheme()) ? 443 : 80;
		return address.getScheme() + "://" + address.getHost() + ":" + port;
	}
}
