package io.meshgate.controlplane.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.config.environment.Environment;
import org.springframework.cloud.config.environment.PropertySource;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.git.CommitFiles;
import io.meshgate.model.ConfigFileNames;
import io.meshgate.model.ConfigSource;
import io.meshgate.model.files.YamlTree;

/**
 * Puts back what the config server's YAML flattening drops, from each file's text at the commit: {@code key: {}}
 * under {@code mesh.} is served as {@code key:} (an empty value: {@code inventory: {}} declares a service, and a
 * typo'd key is seen by the unknown-key check of the control plane and of every proxy alike), and the validation
 * gets each key's line for its errors.
 */
@Component
public class YamlTrees {

	private final CommitFiles files;

	YamlTrees(CommitFiles files) {
		this.files = files;
	}

	/** The property sources as the model reads them, each with its YAML tree when its text is at hand. */
	public List<ConfigSource> sources(Environment environment) {
		List<ConfigSource> sources = new ArrayList<>();
		for (PropertySource source : environment.getPropertySources()) {
			ConfigSource flat = new ConfigSource(ConfigFileNames.shorten(source.getName()), map(source));
			YamlTree tree = tree(environment.getVersion(), source.getName());
			sources.add(tree == null ? flat : flat.withTree(tree));
		}
		return sources;
	}

	/** The environment as the proxies get it: each source with its empty maps declared. */
	public Environment declared(Environment environment) {
		Environment served = new Environment(environment.getName(), environment.getProfiles());
		served.setLabel(environment.getLabel());
		served.setVersion(environment.getVersion());
		served.setState(environment.getState());
		for (PropertySource source : environment.getPropertySources()) {
			YamlTree tree = tree(environment.getVersion(), source.getName());
			if (tree == null || tree.emptyMaps().isEmpty()) {
				served.add(source);
				continue;
			}
			Map<String, Object> properties = new LinkedHashMap<>(map(source));
			new ConfigSource(source.getName(), properties).withTree(tree)
				.properties()
				.forEach(properties::putIfAbsent);
			served.add(new PropertySource(source.getName(), properties));
		}
		return served;
	}

	private YamlTree tree(String version, String name) {
		if (!(name.endsWith(".yml") || name.endsWith(".yaml"))) {
			return null;
		}
		try {
			return files.read(version, name).map(YamlTree::parse).orElse(null);
		}
		catch (RuntimeException unparsable) {
			return null; // the config server read it, so this is the tree's own limit: serve it as it was
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(PropertySource source) {
		return (Map<String, Object>) source.getSource();
	}
}
