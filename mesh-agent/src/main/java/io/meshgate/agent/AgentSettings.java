package io.meshgate.agent;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

import io.meshgate.client.identity.JoinToken;
import io.meshgate.client.spring.MeshClientProperties;

/**
 * The agent's settings, bound the way a Spring Boot application binds them (relaxed names, {@code --key=value}
 * arguments over environment variables over the defaults in {@code mesh-agent.yml}), with Spring Boot's binder alone:
 * no application context, which would cost the agent about 100 MB of memory.
 *
 * @param agent        {@code meshgate.agent.*}
 * @param controlPlane {@code meshgate.*}: the control plane, data directory, profiles (as for the gateway)
 * @param joinToken    {@code meshgate.agent.join-token} ({@code MESHGATE_AGENT_JOIN_TOKEN}), or {@code null}: kept
 *                     apart from the other settings so that it is never printed with them
 */
public record AgentSettings(AgentProperties agent, MeshClientProperties controlPlane, JoinToken joinToken) {

	static final String DEFAULTS = "mesh-agent.yml";

	public static AgentSettings load(String... args) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
		try {
			for (PropertySource<?> defaults : new YamlPropertySourceLoader().load(DEFAULTS,
					new ClassPathResource(DEFAULTS))) {
				environment.getPropertySources().addLast(defaults);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ConfigurationPropertySources.attach(environment);
		Binder binder = Binder.get(environment);
		try {
			JoinToken joinToken = JoinToken.fromSettings("meshgate.agent",
					binder.bind("meshgate.agent.join-token", String.class).orElse(null),
					binder.bind("meshgate.agent.join-token-file", String.class).orElse(null));
			return new AgentSettings(binder.bindOrCreate("meshgate.agent", AgentProperties.class),
					binder.bindOrCreate("meshgate", MeshClientProperties.class), joinToken);
		}
		catch (BindException ex) {
			Throwable cause = ex.getCause() == null ? ex : ex.getCause();
			while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
				cause = cause.getCause();
			}
			if (ex.getProperty() == null) {
				// values that bind but do not go together, or are out of range: the record's check names them
				throw new IllegalArgumentException("bad setting: " + cause.getMessage(), ex);
			}
			throw new IllegalArgumentException("bad setting " + ex.getProperty().getName() + " = '"
					+ ex.getProperty().getValue() + "': " + cause.getMessage(), ex);
		}
	}
}
