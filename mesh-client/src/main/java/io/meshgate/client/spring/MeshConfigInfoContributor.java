package io.meshgate.client.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigSync;

/** {@code /actuator/info} shows the applied config version. */
public class MeshConfigInfoContributor implements InfoContributor {

	private final ConfigSync sync;

	public MeshConfigInfoContributor(ConfigSync sync) {
		this.sync = sync;
	}

	@Override
	public void contribute(Info.Builder builder) {
		AppliedConfig applied = sync.state().applied();
		Map<String, Object> config = new LinkedHashMap<>();
		if (applied != null) {
			config.put("version", applied.version());
			config.put("appliedAt", applied.appliedAt());
			config.put("origin", applied.originName());
		}
		builder.withDetail("meshConfig", config);
	}
}
