package io.meshgate.client.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.meshgate.client.ConfigSync;
import io.meshgate.client.MeshStatus;

/** {@code /actuator/mesh}: applied config version and time, control plane connection, last rejection, the model. */
@Endpoint(id = "mesh")
public class MeshEndpoint {

	private final ConfigSync sync;

	private final List<MeshStatusContributor> contributors;

	public MeshEndpoint(ConfigSync sync, List<MeshStatusContributor> contributors) {
		this.sync = sync;
		this.contributors = contributors;
	}

	@ReadOperation
	public MeshStatus mesh() {
		Map<String, Object> plane = new LinkedHashMap<>();
		contributors.forEach(contributor -> plane.put(contributor.name(), contributor.status()));
		return MeshStatus.of(sync.state(), plane);
	}
}
