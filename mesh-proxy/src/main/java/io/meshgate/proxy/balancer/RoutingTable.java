package io.meshgate.proxy.balancer;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import java.util.function.Function;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.ServiceSpec;
import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * An immutable snapshot of the services a proxy balances over, each a {@link ServiceBalancer}: its endpoints with their
 * load statistics, timeouts, retry policy and limits. Rebuilt (off the request path) when the config or the registry
 * changes; statistics and each service's state carry over.
 */
public final class RoutingTable {

	private final Map<String, ServiceBalancer> services;

	private RoutingTable(Map<String, ServiceBalancer> services) {
		this.services = services;
	}

	public static RoutingTable empty() {
		return build(MeshConfig.empty(), EndpointSet.empty(), null, service -> NO_COUNTER);
	}

	/** Counts nothing anyone reads: for tables built without metrics. */
	private static final Counter NO_COUNTER = Counter.builder("unused").register(new SimpleMeterRegistry());

	/** A table without metrics (tests, tools), starting from {@code previous}'s state ({@code null}: none). */
	public static RoutingTable build(MeshConfig config, EndpointSet registry, RoutingTable previous) {
		return build(config, registry, previous, service -> NO_COUNTER);
	}

	/**
	 * @param previous  the table in service, whose state (endpoint statistics, ejections, budgets) carries over so a
	 *                  rebuild forgets nothing; {@code null}: none
	 * @param ejections the counter of a service's ejections, asked once per service name
	 */
	public static RoutingTable build(MeshConfig config, EndpointSet registry, RoutingTable previous,
			Function<String, Counter> ejections) {
		Map<String, EndpointStats> stats = previous == null ? Map.of() : previous.statistics();
		Map<String, ServiceBalancer> services = new HashMap<>();
		for (Map.Entry<String, ServiceSpec> service : config.services().entrySet()) {
			String name = service.getKey();
			List<EndpointStats> list = new ArrayList<>();
			List<URI> fixed = service.getValue() == null ? List.of() : service.getValue().endpoints();
			// static endpoints serve services outside the mesh, reached directly rather than through an agent; the
			// model says where such a service runs, so a registry entry for it never replaces (or joins) them
			for (URI endpoint : fixed) {
				list.add(reuse(stats, name, EndpointStats.STATIC, origin(endpoint)));
			}
			if (fixed.isEmpty()) {
				for (Endpoint endpoint : registry.of(name)) {
					list.add(reuse(stats, name, endpoint.node(), origin(endpoint.address())));
				}
			}
			ServiceBalancer before = previous == null ? null : previous.services.get(name);
			ServiceBalancer.ServiceState state = before == null
					? new ServiceBalancer.ServiceState(ejections.apply(name)) : before.state();
			services.put(name, new ServiceBalancer(service.getValue(), List.copyOf(list), state));
		}
		return new RoutingTable(Map.copyOf(services));
	}

	/** The service as balanced in this snapshot, or {@code null} when the model has no such service. */
	public ServiceBalancer service(String name) {
		return services.get(name);
	}

	public List<EndpointStats> endpoints(String service) {
		ServiceBalancer balancer = services.get(service);
		return balancer == null ? List.of() : balancer.endpoints();
	}

	/** Each service's endpoints with their load statistics, for the status endpoints. */
	public Map<String, List<Map<String, Object>>> describeEndpoints() {
		Map<String, List<Map<String, Object>>> described = new TreeMap<>();
		services.forEach((service, balancer) -> {
			List<Map<String, Object>> rows = new ArrayList<>();
			for (EndpointStats stats : balancer.endpoints()) {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("node", stats.node());
				row.put("address", stats.address());
				row.put("outstanding", stats.outstanding());
				row.put("ewmaMillis", Math.round(stats.ewmaMillis() * 1000) / 1000.0);
				row.put("requests", stats.requests());
				row.put("failures", stats.failures());
				row.put("ejected", stats.ejected(stats.now()));
				row.put("ejections", stats.ejections());
				rows.add(row);
			}
			described.put(service, rows);
		});
		return described;
	}

	/** Statistics by key, to carry over into the next table. */
	private Map<String, EndpointStats> statistics() {
		Map<String, EndpointStats> all = new HashMap<>();
		services.values().forEach(balancer -> balancer.endpoints().forEach(s -> all.put(key(s.service(), s.address()), s)));
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
