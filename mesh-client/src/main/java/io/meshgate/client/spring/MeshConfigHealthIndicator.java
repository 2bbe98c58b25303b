package io.meshgate.client.spring;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.meshgate.client.ConfigHealth;
import io.meshgate.client.ConfigSync;

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
		ConfigHealth health = ConfigHealth.of(sync.state());
		builder.status(health.status()).withDetails(health.details());
	}
}
