package io.meshgate.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import io.meshgate.model.binding.ModelBinder;
import io.meshgate.model.binding.UnknownKeys;
import io.meshgate.model.validation.MeshRules;
import io.meshgate.model.validation.Violation;

/**
 * Turns config files into a validated {@link MeshConfig}: unknown keys (typos), values that do not convert, and rule
 * violations (unknown services, duplicate ids, impossible weights, ...) are all reported, each against its file and key.
 * Nothing may be applied unless {@link LoadResult#valid()}.
 */
public final class MeshConfigLoader {

	private MeshConfigLoader() {
	}

	/** @param sources the config files, highest precedence first (the config server's order) */
	public static LoadResult load(List<ConfigSource> sources) {
		ConfigSources files = new ConfigSources(sources);
		List<ConfigError> errors = new ArrayList<>(UnknownKeys.find(sources));
		ModelBinder.Result bound = ModelBinder.bind(sources);
		for (Violation failure : bound.failures()) {
			errors.add(files.errorAt(failure));
		}
		// rules run on what did bind, so one pass reports every problem
		for (Violation violation : MeshRules.check(bound.config())) {
			errors.add(files.errorAt(violation));
		}
		// the binder may visit a failing value twice (map entry, then object)
		List<ConfigError> distinct = new ArrayList<>(new LinkedHashSet<>(errors));
		return new LoadResult(distinct.isEmpty() ? bound.config() : null, distinct);
	}
}
