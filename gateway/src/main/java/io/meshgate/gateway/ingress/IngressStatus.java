package io.meshgate.gateway.ingress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.meshgate.client.identity.Identities;
import io.meshgate.client.spring.MeshStatusContributor;

/**
 * The {@code gateway} section of {@code /actuator/mesh}: its identity, the ingress routes served and the endpoints
 * behind them.
 */
@Component
class IngressStatus implements MeshStatusContributor {

	private final IngressState state;

	private final Identities identities;

	IngressStatus(IngressState state, Identities identities) {
		this.state = state;
		this.identities = identities;
	}

	@Override
	public String name() {
		return "gateway";
	}

	@Override
	public Object status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("identity", identities.status());
		List<Map<String, Object>> routes = state.ingress()
			.routes()
			.stream()
			.map(route -> {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("id", route.id());
				row.put("path", route.path().getPatternString());
				row.put("methods", route.methods());
				if (route.host() != null) {
					row.put("host", route.host());
				}
				row.put("headers", route.headers());
				row.put("stripPrefix", route.stripPrefix());
				row.put("to", route.to()
					.stream()
					.map(destination -> Map.of("service", destination.service(), "weight", destination.weight()))
					.toList());
				return (Map<String, Object>) row;
			})
			.toList();
		status.put("routes", routes);
		status.put("endpoints", state.routing().describeEndpoints());
		return status;
	}
}
