package io.meshgate.client.spring;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;

import io.meshgate.client.ConfigCheck;
import io.meshgate.client.ConfigSync;
import io.meshgate.client.controlplane.ControlPlaneClient;
import io.meshgate.client.identity.Identities;
import io.meshgate.client.store.LastKnownGoodStore;

/** Wires config sync into a Spring Boot proxy: the control plane client, last-known-good, actuator and metrics. */
@AutoConfiguration
@EnableConfigurationProperties(MeshClientProperties.class)
public class MeshClientAutoConfiguration {

	/** @param identities the proxy's identity (the application defines it): the control plane answers no one else */
	@Bean
	ControlPlaneClient controlPlaneClient(MeshClientProperties properties, Identities identities) {
		return new ControlPlaneClient(properties.controlPlane().uri(), identities.controlPlane(),
				properties.controlPlane().timeout());
	}

	@Bean
	EnvironmentApplier environmentApplier(ConfigurableApplicationContext context) {
		return new EnvironmentApplier(context);
	}

	@Bean
	ConfigSync configSync(ControlPlaneClient client, MeshClientProperties properties,
			ConfigurableEnvironment environment, ObjectProvider<ConfigCheck> checks, EnvironmentApplier applier,
			Identities identities) {
		String application = environment.getRequiredProperty("spring.application.name");
		ConfigSync sync = new ConfigSync(client, application, properties.profiles(),
				new LastKnownGoodStore(properties.dataDir(), application), checks.orderedStream().toList(), applier,
				properties.controlPlane().silenceLimit(), Clock.systemUTC());
		identities.addListener(sync::retryNow);
		sync.addListener(identities); // the CA's roots, pushed on the watch stream
		return sync;
	}

	@Bean
	ConfigSyncLifecycle configSyncLifecycle(ConfigSync sync) {
		return new ConfigSyncLifecycle(sync);
	}

	@Bean
	MeshEndpoint meshEndpoint(ConfigSync sync, ObjectProvider<MeshStatusContributor> contributors) {
		return new MeshEndpoint(sync, contributors.orderedStream().toList());
	}

	@Bean
	MeshConfigHealthIndicator meshConfigHealthIndicator(ConfigSync sync) {
		return new MeshConfigHealthIndicator(sync);
	}

	@Bean
	MeshConfigInfoContributor meshConfigInfoContributor(ConfigSync sync) {
		return new MeshConfigInfoContributor(sync);
	}

	@Bean
	MeshConfigMetrics meshConfigMetrics(ConfigSync sync) {
		return new MeshConfigMetrics(sync);
	}
}
