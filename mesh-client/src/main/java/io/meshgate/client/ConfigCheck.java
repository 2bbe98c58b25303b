package io.meshgate.client;

import java.util.List;

import io.meshgate.model.ConfigError;
import io.meshgate.model.ConfigSource;
import io.meshgate.model.MeshConfig;

/**
 * A proxy's own check of a config beyond the mesh model (the gateway checks its plain Spring Cloud Gateway routes).
 * Runs after the model validated; any error rejects the config.
 */
@FunctionalInterface
public interface ConfigCheck {

	List<ConfigError> check(List<ConfigSource> sources, MeshConfig model);
}
