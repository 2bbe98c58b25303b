package io.meshgate.client.spring;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigSync;
import io.meshgate.client.SyncState;

/**
 * Health component {@code meshConfig}: UP while a config is served, from the control plane or from last-known-good
 * (the details say which, and whether the control plane is reachable); OUT_OF_SERVICE before any config was applied.
 */
public class MeshConfigHealthIndicator extends AbstractHealthIndicator {

	private final ConfigSync sync;

	public MeshConfigHealthIndicator(ConfigSync sync) {
		this.sync = sync;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		SyncState state = sync.state();
		AppliedConfig applied = state.applied();
		if (applied == null) {
			builder.outOfService().withDetail("reason", "no config applied yet");
		}
		else {
			builder.up()
				.withDetail("version", applied.version())
				.withDetail("appliedAt", applied.appliedAt())
				.withDetail("origin", MeshStatus.origin(applied));
		}
		builder.withDetail("controlPlane", state.controlPlane())
			.withDetail("controlPlaneConnected", state.connected());
		if (state.lastError() != null) {
			builder.withDetail("controlPlaneError", state.lastError());
		}
		if (state.lastRejection() != null) {
			builder.withDetail("lastRejection", MeshStatus.of(state).lastRejection());
		}
	}
}
