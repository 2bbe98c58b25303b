package io.meshgate.gateway.discovery;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.meshgate.client.ConfigSync;
import io.meshgate.client.spring.MeshConfigApplied;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.ServiceSpec;
import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;
import reactor.core.publisher.Flux;

/**
 * Resolves {@code lb://service} for the gateway's load balancer: the registry's endpoints (each the inbound listener
 * of a node running the service), else the service's static endpoints from the model (services outside the mesh).
 */
@Component
public class MeshDiscoveryClient implements ReactiveDiscoveryClient, ConfigSync.Listener {

	private volatile MeshConfig config = MeshConfig.empty();

	private volatile EndpointSet registry = EndpointSet.empty();

	private volatile Map<String, List<ServiceInstance>> instances = Map.of();

	MeshDiscoveryClient(ConfigSync sync) {
		sync.addListener(this);
		registry = sync.endpoints();
	}

	@Override
	public String description() {
		return "Meshgate registry and mesh model";
	}

	@Override
	public Flux<ServiceInstance> getInstances(String serviceId) {
		return Flux.fromIterable(instances.getOrDefault(serviceId, List.of()));
	}

	@Override
	public Flux<String> getServices() {
		return Flux.fromIterable(instances.keySet());
	}

	@EventListener
	void onApplied(MeshConfigApplied event) {
		config = event.config().model();
		rebuild();
	}

	@Override
	public void endpoints(EndpointSet update) {
		registry = update;
		rebuild();
	}

	private synchronized void rebuild() {
		instances = from(config, registry);
	}

	static Map<String, List<ServiceInstance>> from(MeshConfig config, EndpointSet registry) {
		Map<String, List<ServiceInstance>> all = new HashMap<>();
		config.services().forEach((name, service) -> {
			List<Endpoint> registered = registry.of(name);
			// a node's inbound listener takes mutual TLS: https, with the mesh's TLS (routing.PlainRoutesMeshTls)
			all.put(name, registered.isEmpty() ? staticInstances(name, service)
					: registered.stream().map(endpoint -> instance(name, endpoint.node(), endpoint.address(), true))
						.toList());
		});
		return Map.copyOf(all);
	}

	private static List<ServiceInstance> staticInstances(String name, ServiceSpec service) {
		if (service == null) {
			return List.of();
		}
		return service.endpoints().stream()
			.map(endpoint -> instance(name, "static", endpoint, "https".equals(endpoint.getScheme())))
			.toList();
	}

	private static ServiceInstance instance(String name, String node, URI address, boolean secure) {
		int port = address.getPort() > 0 ? address.getPort() : secure ? 443 : 80;
		return new DefaultServiceInstance(name + "@" + node + ":" + address.getHost() + ":" + port, name,
				address.getHost(), port, secure);
	}
}
