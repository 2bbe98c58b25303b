package io.meshgate.client.spring;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.meshgate.client.ConfigSync;

/** {@code /actuator/mesh}: applied config version and time, control plane connection, last rejection, the model. */
@Endpoint(id = "mesh")
public class MeshEndpoint {

	private final ConfigSync sync;

	public MeshEndpoint(ConfigSync sync) {
		this.sync = sync;
	}

	@ReadOperation
	public MeshStatus mesh() {
		return MeshStatus.of(sync.state());
	}
}
