package io.meshgate.agent.workload;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.agent.AgentProperties;
import io.meshgate.client.registry.RegistryClient;
import io.meshgate.client.spring.MeshClientProperties;

/**
 * Keeps the node's healthy workloads registered: the health probes feed the registry client, which renews the lease
 * and leaves the registry on clean shutdown.
 */
@Configuration(proxyBeanMethods = false)
class Registration {

	@Bean(destroyMethod = "close")
	RegistryClient registryClient(AgentProperties agent, MeshClientProperties client) {
		return new RegistryClient(client.controlPlane().uri(), client.controlPlane().timeout(), agent.node(),
				agent.inboundAddress(), agent.registrationTtl());
	}

	@Bean(destroyMethod = "close")
	WorkloadHealth workloadHealth(AgentProperties agent, RegistryClient registry) {
		return new WorkloadHealth(agent.workloads(), agent.healthCheckInterval(), agent.connectTimeout(),
				registry::register);
	}

	/** Probing starts once the listeners are up (phase 20): the registry must never point at a closed port. */
	@Bean
	SmartLifecycle registrationLifecycle(WorkloadHealth health, RegistryClient registry) {
		return new SmartLifecycle() {

			private volatile boolean running;

			@Override
			public void start() {
				registry.start();
				health.start();
				running = true;
			}

			@Override
			public void stop() {
				health.close();
				registry.close();
				running = false;
			}

			@Override
			public boolean isRunning() {
				return running;
			}

			@Override
			public int getPhase() {
				return 20;
			}
		};
	}

	@Bean
	AbstractHealthIndicator registryHealthIndicator(RegistryClient registry, WorkloadHealth health) {
		return new AbstractHealthIndicator() {
			@Override
			protected void doHealthCheck(Health.Builder builder) {
				// not registered is not unhealthy: the node keeps serving while the control plane is away
				builder.up().withDetail("registered", registry.registered()).withDetail("workloads", health.healthy());
				if (registry.lastError() != null) {
					builder.withDetail("registryError", registry.lastError());
				}
			}
		};
	}
}
