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
 * <p>
 * A repository on this machine is also polled more often unless the poll interval is set: asking a local repository
 * for its head is a read of a file, and it keeps commit to applied under a second (bench/scale.sh). A Git host
 * rate-limits, so a remote one keeps the 1 s default; push webhooks ({@code POST /mesh/v1/poll}) are faster still.
 * <p>
 * A URI with a password in it stops the start: the config server names every file by its URI, in answers, health
 * details and logs. Credentials go in their own settings, which nothing prints.
 */
public class LocalGitUriPostProcessor implements EnvironmentPostProcessor {

	static final String URI = "spring.cloud.config.server.git.uri";

	static final String POLL_INTERVAL = "meshgate.control-plane.poll-interval";

	static final String LOCAL_POLL_INTERVAL = "250ms";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String uri = environment.getProperty(URI);
		if (uri != null && uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@]*:[^/@]*@.*")) {
			// the config server names every file it serves by this URI: a password in it would be in every answer,
			// the health details and the logs
			throw new IllegalStateException("MESHGATE_CONFIG_GIT_URI (" + URI + ") carries a password: put the user "
					+ "in MESHGATE_CONFIG_GIT_USERNAME and the password or token in MESHGATE_CONFIG_GIT_PASSWORD");
		}
		if (uri != null && uri.startsWith("file:")) {
			String path = Path.of(java.net.URI.create(uri.replace("file:///", "file:/"))).toString();
			environment.getPropertySources().addFirst(new MapPropertySource("meshgate-local-git-uri", Map.of(URI, path)));
		}
		if (uri != null && isLocal(uri) && !environment.containsProperty(POLL_INTERVAL)) {
			environment.getPropertySources()
				.addLast(new MapPropertySource("meshgate-local-git-poll", Map.of(POLL_INTERVAL, LOCAL_POLL_INTERVAL)));
		}
	}

	/** A path or a file: URI; remote ones have a scheme (https://, ssh://) or are scp-like (git@host:repo). */
	static boolean isLocal(String uri) {
		return uri.startsWith("file:") || !(uri.contains("://") || uri.matches("^[^/]+@[^/]+:.*"));
	}
}
