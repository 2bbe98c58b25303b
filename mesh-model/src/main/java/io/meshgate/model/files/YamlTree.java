package io.meshgate.model.files;

import java.io.StringReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * What the flat properties of a YAML file lose: the line of each key, and the keys whose value is an empty map
 * ({@code inventory: {}}), which Spring's YAML flattening drops without a trace, so a typo under them was never seen
 * and a service declared that way was never declared. Keys are named as Spring flattens them
 * ({@code mesh.routes[0].id}). Later documents of a file win, as in Spring Boot.
 */
public final class YamlTree {

	private final Map<String, Integer> lines;

	private final Map<String, Integer> emptyMaps;

	private YamlTree(Map<String, Integer> lines, Map<String, Integer> emptyMaps) {
		this.lines = Collections.unmodifiableMap(lines);
		this.emptyMaps = Collections.unmodifiableMap(emptyMaps);
	}

	/** @throws RuntimeException what SnakeYAML says of a file that does not parse */
	public static YamlTree parse(String yaml) {
		Map<String, Integer> lines = new LinkedHashMap<>();
		Map<String, Integer> emptyMaps = new LinkedHashMap<>();
		LoaderOptions options = new LoaderOptions();
		options.setAllowDuplicateKeys(false);
		for (Node document : new Yaml(options).composeAll(new StringReader(yaml))) {
			if (document != null) {
				walk(document, "", lines, emptyMaps);
			}
		}
		return new YamlTree(lines, emptyMaps);
	}

	/** Every key (leaves and the maps and lists above them) to its 1-based line. */
	public Map<String, Integer> lines() {
		return lines;
	}

	/** The keys whose value is {@code {}}, to their lines. */
	public Map<String, Integer> emptyMaps() {
		return emptyMaps;
	}

	private static void walk(Node node, String path, Map<String, Integer> lines, Map<String, Integer> emptyMaps) {
		if (node instanceof MappingNode mapping) {
			List<NodeTuple> entries = mapping.getValue();
			if (entries.isEmpty() && !path.isEmpty()) {
				emptyMaps.put(path, line(node));
			}
			for (NodeTuple entry : entries) {
				if (!(entry.getKeyNode() instanceof ScalarNode key)) {
					continue; // a complex key: Spring's flattening has no name for it either
				}
				String name = key.getValue();
				String child = path.isEmpty() ? name : name.startsWith("[") ? path + name : path + "." + name;
				lines.put(child, line(key));
				walk(entry.getValueNode(), child, lines, emptyMaps);
			}
		}
		else if (node instanceof SequenceNode sequence) {
			List<Node> items = sequence.getValue();
			for (int i = 0; i < items.size(); i++) {
				String child = path + "[" + i + "]";
				lines.put(child, line(items.get(i)));
				walk(items.get(i), child, lines, emptyMaps);
			}
		}
	}

	private static int line(Node node) {
		return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
	}
}
