package io.meshgate.controlplane.validation;

import java.util.Set;
import java.util.TreeSet;

import org.springframework.cloud.config.server.environment.EnvironmentRepository;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.push.WatchBroadcaster;
import io.meshgate.model.LoadResult;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.protocol.CommitStatus;

/**
 * The mesh model of the commit the control plane serves, as the agents read it, for what the control plane decides
 * itself (the trust domain it issues identities in; which services the registry must not take). Loaded once per
 * commit, by its id, so a registration heartbeat costs no Git read; the empty model while no valid commit is known.
 */
@Component
public class ServedModel {

	private final EnvironmentRepository repository;

	private final YamlTrees trees;

	private final WatchBroadcaster commits;

	private volatile Loaded loaded;

	private record Loaded(String version, MeshConfig config) {
	}

	ServedModel(EnvironmentRepository repository, YamlTrees trees, WatchBroadcaster commits) {
		this.repository = repository;
		this.trees = trees;
		this.commits = commits;
	}

	public MeshConfig current() {
		CommitStatus status = commits.current();
		if (status == null || !status.valid() || status.version() == null) {
			Loaded last = loaded;
			return last == null ? MeshConfig.empty() : last.config();
		}
		Loaded last = loaded;
		if (last != null && last.version().equals(status.version())) {
			return last.config();
		}
		try {
			LoadResult result = MeshConfigLoader
				.load(trees.sources(repository.findOne("mesh-agent", "default", status.version())));
			if (result.valid()) {
				loaded = new Loaded(status.version(), result.config());
				return result.config();
			}
		}
		catch (RuntimeException ex) {
			// unreadable now: keep what was known
		}
		return last == null ? MeshConfig.empty() : last.config();
	}

	/** The services the model gives static endpoints: they are reached there, never through the registry. */
	public Set<String> staticServices() {
		Set<String> names = new TreeSet<>();
		current().services().forEach((name, spec) -> {
			if (spec != null && !spec.endpoints().isEmpty()) {
				names.add(name);
			}
		});
		return names;
	}
}
