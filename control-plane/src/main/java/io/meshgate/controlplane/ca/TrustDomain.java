package io.meshgate.controlplane.ca;

import org.springframework.cloud.config.server.environment.EnvironmentRepository;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.validation.YamlTrees;
import io.meshgate.model.LoadResult;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;

/**
 * The trust domain identities are issued in: {@code mesh.trust-domain} of the served commit, as the agents see it
 * (the model is its only source). Read at each enrolment, which is rare; a commit that does not validate leaves the
 * model's default.
 */
@Component
class TrustDomain {

	private final EnvironmentRepository repository;

	private final YamlTrees trees;

	TrustDomain(EnvironmentRepository repository, YamlTrees trees) {
		this.repository = repository;
		this.trees = trees;
	}

	String current() {
		try {
			LoadResult result = MeshConfigLoader.load(trees.sources(repository.findOne("mesh-agent", "default", null)));
			return result.valid() ? result.config().trustDomain() : MeshConfig.empty().trustDomain();
		}
		catch (RuntimeException ex) {
			return MeshConfig.empty().trustDomain();
		}
	}
}
