package io.meshgate.model.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every registered endpoint, by service: the registry's state, pushed whole as the watch stream's
 * {@value MeshApi#ENDPOINTS_EVENT} event at connect and on every change.
 *
 * @param revision increases with every change, so a subscriber can ignore stale copies
 * @param services endpoints by service name
 */
public record EndpointSet(long revision, Map<String, List<Endpoint>> services) {

	public EndpointSet {
		services = services == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(services));
	}

	public static EndpointSet empty() {
		return new EndpointSet(0, Map.of());
	}

	public List<Endpoint> of(String service) {
		return services.getOrDefault(service, List.of());
	}
}
