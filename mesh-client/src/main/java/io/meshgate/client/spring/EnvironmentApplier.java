package io.meshgate.client.spring;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.CompositePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigApplier;
import io.meshgate.model.ConfigSource;

/**
 * Applies a validated config to a Spring application: its files become one property source (above the application's
 * own files, below system properties and environment variables, as with a config client), then
 * {@link EnvironmentChangeEvent} rebinds every {@code @ConfigurationProperties} bean (Spring Cloud's refresh), then
 * {@link MeshConfigApplied} tells the plane to rebuild what it derives from the model.
 */
public class EnvironmentApplier implements ConfigApplier {

	static final String PROPERTY_SOURCE = "meshgate-config";

	private final ConfigurableApplicationContext context;

	private final ConfigurableEnvironment environment;

	public EnvironmentApplier(ConfigurableApplicationContext context) {
		this.context = context;
		this.environment = context.getEnvironment();
	}

	@Override
	public void apply(AppliedConfig config) {
		CompositePropertySource composite = new CompositePropertySource(PROPERTY_SOURCE);
		for (ConfigSource source : config.sources()) {
			composite.addPropertySource(new MapPropertySource(PROPERTY_SOURCE + ":" + source.name(), source.properties()));
		}
		Set<String> changed = new HashSet<>(List.of(composite.getPropertyNames()));
		MutablePropertySources sources = environment.getPropertySources();
		PropertySource<?> previous = sources.get(PROPERTY_SOURCE);
		if (previous instanceof EnumerablePropertySource<?> enumerable) {
			changed.addAll(List.of(enumerable.getPropertyNames()));
			sources.replace(PROPERTY_SOURCE, composite);
		}
		else if (sources.contains(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
			sources.addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, composite);
		}
		else {
			sources.addFirst(composite);
		}
		// the rebinder only acts on events whose source is its own context
		context.publishEvent(new EnvironmentChangeEvent(context, changed));
		context.publishEvent(new MeshConfigApplied(this, config));
	}
}
