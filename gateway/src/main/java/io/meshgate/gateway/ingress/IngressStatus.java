package io.meshgate.gateway.ingress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.meshgate.client.identity.Identities;
import io.meshgate.client.spring.MeshStatusContributor;
import io.meshgate.proxy.authn.JwtStep;
import io.meshgate.proxy.authn.SigningKeys;

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

	private static String scopes(String route, JwtStep tokens) {
		List<String> scopes = tokens.scopes(route);
		return scopes.isEmpty() ? "" : " " + String.join(" ", scopes);
	}

	@Override
	public String name() {
		return "gateway";
	}

	@Override
	public Object status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("identity", identities.status());
		JwtStep tokens = state.tokens();
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
				row.put("auth", tokens.requiresToken(route.id()) ? "token" + scopes(route.id(), tokens) : "none");
				row.put("to", route.to()
					.stream()
					.map(destination -> Map.of("service", destination.service(), "weight", destination.weight()))
					.toList());
				return (Map<String, Object>) row;
			})
			.toList();
		status.put("routes", routes);
		SigningKeys keys = state.signingKeys();
		if (keys != null) {
			status.put("jwt", Map.of("jwksUri", keys.uri().toString(), "keyIds", keys.keyIds()));
		}
		status.put("endpoints", state.routing().describeEndpoints());
		return status;
	}
}
