package io.meshgate.controlplane.validation;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.cloud.config.environment.Environment;
import org.springframework.cloud.config.server.environment.EnvironmentRepository;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.ControlPlaneProperties;
import io.meshgate.model.ConfigError;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.protocol.CommitStatus;

/**
 * Validates a commit the way each proxy will see it: for every configured application and profile, the config
 * server's merged property sources go through the mesh model's loader, with each YAML file's tree (empty maps kept,
 * lines for the errors: {@link YamlTrees}).
 */
@Component
public class CommitValidator {

	private final EnvironmentRepository repository;

	private final ControlPlaneProperties properties;

	private final UnreadableCommit unreadable;

	private final YamlTrees trees;

	private final Clock clock = Clock.systemUTC();

	CommitValidator(EnvironmentRepository repository, ControlPlaneProperties properties, UnreadableCommit unreadable,
			YamlTrees trees) {
		this.trees = trees;
		this.repository = repository;
		this.properties = properties;
		this.unreadable = unreadable;
	}

	/** @param commit the commit Git reported for the label; the config server's answer wins if it saw a newer one */
	public CommitStatus validate(String label, String commit) {
		Set<ConfigError> errors = new LinkedHashSet<>();
		String version = commit;
		for (String application : properties.applications()) {
			for (String profile : properties.profiles()) {
				try {
					Environment environment = repository.findOne(application, profile, label);
					if (environment.getVersion() != null) {
						version = environment.getVersion();
					}
					errors.addAll(MeshConfigLoader.load(trees.sources(environment)).errors());
				}
				catch (RuntimeException ex) {
					errors.addAll(unreadable.explain(ex));
				}
			}
		}
		return new CommitStatus(version, label, errors.isEmpty(), new ArrayList<>(errors), clock.instant());
	}
}
