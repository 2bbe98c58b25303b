package io.meshgate.proxy.balancer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.meshgate.model.Match;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.model.ServiceSpec;
import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * An immutable snapshot of what the outbound direction needs per request: the east-west routes by called service,
 * and each service's endpoints with their load statistics. Rebuilt (off the request path) when the config or the
 * registry changes; statistics carry over for endpoints that stay.
 */
public final class RoutingTable {

	private final MeshConfig config;

	private final Map<String, List<Route>> routesByService;

	private final Map<String, List<EndpointStats>> endpointsByService;

	private RoutingTable(MeshConfig config, Map<String, List<Route>> routesByService,
			Map<String, List<EndpointStats>> endpointsByService) {
		this.config = config;
		this.routesByService = routesByService;
		this.endpointsByService = endpointsByService;
	}

	public static RoutingTable empty() {
		return build(MeshConfig.empty(), EndpointSet.empty(), Map.of());
	}

	/**
	 * @param previous statistics of the current table by endpoint key, reused so a rebuild forgets nothing
	 */
	public static RoutingTable build(MeshConfig config, EndpointSet registry, Map<String, EndpointStats> previous) {
		Map<String, List<Route>> routes = new HashMap<>();
		for (Route route : config.routes()) {
			Match match = route.match();
			if (match != null) {
				routes.computeIfAbsent(match.service(), s -> new ArrayList<>()).add(route);
			}
		}
		Map<String, List<EndpointStats>> endpoints = new HashMap<>();
		for (Map.Entry<String, ServiceSpec> service : config.services().entrySet()) {
			String name = service.getKey();
			List<EndpointStats> stats = new ArrayList<>();
			for (Endpoint endpoint : registry.of(name)) {
				stats.add(reuse(previous, name, endpoint.node(), origin(endpoint.address())));
			}
			// static endpoints serve services outside the mesh, reached directly rather than through an agent
			if (stats.isEmpty() && service.getValue() != null) {
				for (URI endpoint : service.getValue().endpoints()) {
					stats.add(reuse(previous, name, EndpointStats.STATIC, origin(endpoint)));
				}
			}
			endpoints.put(name, List.copyOf(stats));
		}
		return new RoutingTable(config, Map.copyOf(routes), Map.copyOf(endpoints));
	}

	public boolean knows(String service) {
		return config.services().containsKey(service);
	}

	/** The service a call to {@code service} goes to: the first matching route's (weighted) pick, else itself. */
	public String destination(String service, String path, HttpHeaders headers) {
		List<Route> routes = routesByService.get(service);
		if (routes == null) {
			return service;
		}
		for (Route route : routes) {
			if (matches(route.match(), path, headers)) {
				return WeightedSplit.pick(route.to());
			}
		}
		return service;
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

	private static boolean matches(Match match, String path, HttpHeaders headers) {
		if (match.pathPrefix() != null && !path.startsWith(match.pathPrefix())) {
			return false;
		}
		for (Map.Entry<String, String> header : match.headers().entrySet()) {
			if (!header.getValue().equals(headers.get(header.getKey()))) {
				return false;
			}
		}
		return true;
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
