package io.meshgate.gateway.discovery;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.meshgate.client.spring.MeshConfigApplied;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.ServiceSpec;
import reactor.core.publisher.Flux;

/**
 * Resolves {@code lb://service} for the gateway's load balancer from the mesh model: the static endpoints of each
 * service. The registry of agent-fronted workloads plugs in here next, without touching route handling.
 */
@Component
public class MeshDiscoveryClient implements ReactiveDiscoveryClient {

	private volatile Map<String, List<ServiceInstance>> instances = Map.of();

	@Override
	public String description() {
		return "Meshgate mesh model";
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
		instances = from(event.config().model());
	}

	static Map<String, List<ServiceInstance>> from(MeshConfig config) {
		return config.services()
			.entrySet()
			.stream()
			.collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey,
					service -> instances(service.getKey(), service.getValue())));
	}

	private static List<ServiceInstance> instances(String name, ServiceSpec service) {
		if (service == null) {
			return List.of();
		}
		return service.endpoints().stream().map(endpoint -> instance(name, endpoint)).toList();
	}

	private static ServiceInstance instance(String name, URI endpoint) {
		boolean secure = "https".equals(endpoint.getScheme());
		int port = endpoint.getPort() > 0 ? endpoint.getPort() : secure ? 443 : 80;
		return new DefaultServiceInstance(name + "@" + endpoint.getHost() + ":" + port, name, endpoint.getHost(), port,
				secure);
	}
}
