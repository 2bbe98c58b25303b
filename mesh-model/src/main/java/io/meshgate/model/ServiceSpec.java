package io.meshgate.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A service of the mesh.
 *
 * @param timeout   the whole-request deadline for calls to this service (absent: no deadline)
 * @param endpoints static endpoints ({@code http://host:port}); workloads behind agents are found through the registry
 *                  instead, static endpoints stay useful for services outside the mesh
 */
public record ServiceSpec(Duration timeout, List<URI> endpoints) {

	public ServiceSpec {
		endpoints = Immutables.list(endpoints);
	}

	/**
	 * A service without settings is written {@code inventory:} (or {@code inventory: ~}); Spring's YAML loader drops an
	 * empty map ({@code inventory: {}}) entirely, so the binder sees an empty value and calls this.
	 */
	public static ServiceSpec valueOf(String empty) {
		if (!empty.isBlank()) {
			throw new IllegalArgumentException("a service takes settings such as timeout, not a value");
		}
		return new ServiceSpec(null, null);
	}
}
