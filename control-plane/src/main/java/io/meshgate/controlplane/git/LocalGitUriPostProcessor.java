package io.meshgate.controlplane.git;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns a {@code file:} Git URI into a plain path. The config server uses a {@code file:} repository in place: it
 * would serve uncommitted edits and check branches out in the user's own working tree. A plain path makes it clone
 * into its base directory like any remote, so only commits are served and the checkout is never touched.
 */
public class LocalGitUriPostProcessor implements EnvironmentPostProcessor {

	static final String URI = "spring.cloud.config.server.git.uri";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String uri = environment.getProperty(URI);
		if (uri != null && uri.startsWith("file:")) {
			String path = Path.of(java.net.URI.create(uri.replace("file:///", "file:/"))).toString();
			environment.getPropertySources().addFirst(new MapPropertySource("meshgate-local-git-uri", Map.of(URI, path)));
		}
	}
}
