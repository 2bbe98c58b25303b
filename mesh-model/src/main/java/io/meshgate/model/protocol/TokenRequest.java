package io.meshgate.model.protocol;

import java.util.List;

/**
 * The operator asks for a join token: {@code POST /mesh/v1/tokens}.
 *
 * @param node     the only node that may use it
 * @param services the services that node may serve (get identities for, register)
 * @param ttl      how long it may wait to be used ({@code 1h} when absent; at most {@code 24h})
 */
public record TokenRequest(String node, List<String> services, String ttl) {

	public TokenRequest {
		services = services == null ? List.of() : List.copyOf(services);
	}
}
