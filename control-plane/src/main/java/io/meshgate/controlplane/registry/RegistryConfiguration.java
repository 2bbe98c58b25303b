package io.meshgate.controlplane.registry;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.controlplane.push.WatchBroadcaster;
import io.micrometer.core.instrument.MeterRegistry;

/** The registry pushes every new endpoint set through the watch channel; its leases run on the system clock. */
@Configuration(proxyBeanMethods = false)
class RegistryConfiguration {

	@Bean
	NodeRegistry nodeRegistry(WatchBroadcaster broadcaster, MeterRegistry meterRegistry) {
		NodeRegistry registry = new NodeRegistry(Clock.systemUTC(), meterRegistry, broadcaster::publish);
		broadcaster.publish(registry.endpoints()); // subscribers get this run's revision from the first event
		return registry;
	}

	@Bean
	RegistrySweeper registrySweeper(NodeRegistry registry) {
		return new RegistrySweeper(registry);
	}
}
