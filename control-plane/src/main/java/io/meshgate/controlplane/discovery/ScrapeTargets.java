package io.meshgate.controlplane.discovery;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.registry.NodeRegistry;

/**
 * Prometheus HTTP service discovery ({@code http_sd_configs}), on the management port with the other actuator
 * endpoints: {@code GET /actuator/targets} lists every proxy and the control plane, so a Prometheus pointed here
 * scrapes whatever joins the mesh without an edit of its config. The agents come from the registry (each lease says
 * where its agent is scraped), so a node appears with its first heartbeat and leaves with its lease; the control
 * plane and the gateways, which hold no lease, are listed from settings.
 * <p>
 * Each group's labels: {@code component} ({@code control-plane}, {@code gateway}, {@code mesh-agent}) and, for an
 * agent, {@code node}.
 */
@Component
@WebEndpoint(id = "targets")
public class ScrapeTargets {

	static final String METRICS_PATH = "/actuator/prometheus";

	private final NodeRegistry registry;

	private final String self;

	private final org.springframework.core.env.Environment environment;

	private final List<String> gateways;

	/**
	 * @param self     where Prometheus reaches this control plane's management port ({@code control-plane:8889})
	 * @param gateways where it reaches each gateway's management port ({@code gateway:8090})
	 */
	public ScrapeTargets(NodeRegistry registry, @Value("${meshgate.control-plane.discovery.self:}") String self,
			@Value("${meshgate.control-plane.discovery.gateways:127.0.0.1:8090}") List<String> gateways,
			org.springframework.core.env.Environment environment) {
		this.registry = registry;
		this.self = self.trim();
		this.environment = environment;
		this.gateways = gateways.stream().map(String::trim).filter(gateway -> !gateway.isEmpty()).toList();
	}

	/** One group per target, in Prometheus's HTTP SD format. */
	public record TargetGroup(List<String> targets, Map<String, String> labels) {
	}

	@ReadOperation
	public List<TargetGroup> targets() {
		List<TargetGroup> groups = new ArrayList<>();
		// by default its own management port on loopback: the port it bound, which a setting of 0 leaves to the OS
		String control = self.isEmpty() ? "127.0.0.1:" + environment.getProperty("local.management.port",
				environment.getProperty("management.server.port", "8889")) : self;
		groups.add(group(control, Map.of("component", "control-plane")));
		gateways.forEach(gateway -> groups.add(group(gateway, Map.of("component", "gateway"))));
		registry.metricsAddresses()
			.forEach((node, address) -> groups.add(group(hostAndPort(address),
					Map.of("component", "mesh-agent", "node", node))));
		return groups;
	}

	private static TargetGroup group(String target, Map<String, String> labels) {
		Map<String, String> all = new java.util.TreeMap<>(labels);
		all.put("__metrics_path__", METRICS_PATH);
		return new TargetGroup(List.of(target), all);
	}

	private static String hostAndPort(URI address) {
		return address.getHost() + ":" + address.getPort();
	}
}
