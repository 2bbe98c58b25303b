package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every PromQL expression of observability/: the targets of every Grafana dashboard panel (those nested in rows
 * too), the dashboards' annotation queries, and every recording and alerting rule of
 * observability/prometheus/alerts.yml, ready for Prometheus: the only Grafana variables the dashboards use are
 * substituted, {@code $__rate_interval} by {@code 1m} and {@code $node} by a node regex ({@code .*} unless given).
 */
public final class PromQueries {

	/** What the rate window of a dashboard becomes: Grafana's $__rate_interval, at least 4 scrape intervals (5 s). */
	public static final String RATE_INTERVAL = "1m";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PromQueries() {
	}

	public enum Kind {

		/** a target of a dashboard panel: returns a series once traffic flows through the edge and the mesh */
		PANEL,
		/** a recording rule: returns a series once traffic flows and the rule was evaluated (every 30 s) */
		RECORDING_RULE,
		/** an alerting rule: returns a series only while the alert fires */
		ALERT,
		/** a dashboard's annotation query (config commits): returns a series only around a commit */
		ANNOTATION
	}

	/**
	 * @param name where it comes from, e.g. {@code edge.json: Requests/s per route [panel 9 A]} or
	 * {@code alerts.yml: alert MeshgateTargetDown}
	 */
	public record Query(Kind kind, String name, String expr) {

		/** Whether Prometheus must answer at least one series once traffic flows: panels and recording rules. */
		public boolean expectsSeries() {
			return kind == Kind.PANEL || kind == Kind.RECORDING_RULE;
		}
	}

	/** Every panel target and every rule of alerts.yml (not the annotations), {@code $node} matching every node. */
	public static List<Query> all() {
		return all(".*");
	}

	/** Every panel target and every rule of alerts.yml (not the annotations), {@code $node} replaced by the regex. */
	public static List<Query> all(String nodeRegex) {
		List<Query> queries = new ArrayList<>(panels(nodeRegex));
		queries.addAll(rules());
		return queries;
	}

	/** The targets of every panel of every dashboard, rows' nested panels included. */
	public static List<Query> panels(String nodeRegex) {
		List<Query> queries = new ArrayList<>();
		for (Path file : dashboardFiles()) {
			forEachPanel(dashboard(file).path("panels"), panel -> {
				for (JsonNode target : panel.path("targets")) {
					String name = file.getFileName() + ": " + panel.path("title").asString() + " [panel "
							+ panel.path("id").asInt() + " " + target.path("refId").asString() + "]";
					queries.add(new Query(Kind.PANEL, name, substitute(target.path("expr").asString(), nodeRegex)));
				}
			});
		}
		return queries;
	}

	/** The annotation queries of every dashboard (the config commits). */
	public static List<Query> annotations() {
		List<Query> queries = new ArrayList<>();
		for (Path file : dashboardFiles()) {
			for (JsonNode annotation : dashboard(file).path("annotations").path("list")) {
				if (annotation.hasNonNull("expr")) {
					queries.add(new Query(Kind.ANNOTATION, file.getFileName() + ": annotation "
							+ annotation.path("name").asString(), substitute(annotation.path("expr").asString(), ".*")));
				}
			}
		}
		return queries;
	}

	/** Every recording and alerting rule of alerts.yml. */
	@SuppressWarnings("unchecked")
	public static List<Query> rules() {
		List<Query> queries = new ArrayList<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) alertRules().get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				String expr = String.valueOf(rule.get("expr")).strip();
				if (rule.containsKey("record")) {
					queries.add(new Query(Kind.RECORDING_RULE, "alerts.yml: record " + rule.get("record"), expr));
				}
				else {
					queries.add(new Query(Kind.ALERT, "alerts.yml: alert " + rule.get("alert"), expr));
				}
			}
		}
		return queries;
	}

	/** The Grafana variables the dashboards may use, replaced: {@code $__rate_interval} and {@code $node}. */
	public static String substitute(String expr, String nodeRegex) {
		return expr.replace("${__rate_interval}", RATE_INTERVAL)
			.replace("$__rate_interval", RATE_INTERVAL)
			.replace("${node}", nodeRegex)
			.replace("$node", nodeRegex);
	}

	public static Path observability() {
		return Project.dir().resolve("observability");
	}

	public static Path dashboardsDir() {
		return observability().resolve("grafana/dashboards");
	}

	public static Path alertsFile() {
		return observability().resolve("prometheus/alerts.yml");
	}

	/** The dashboards' JSON files, by name. */
	public static List<Path> dashboardFiles() {
		try (Stream<Path> files = Files.list(dashboardsDir())) {
			return files.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static JsonNode dashboard(Path file) {
		try {
			return JSON.readTree(Files.readString(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static Map<String, Object> alertRules() {
		return yaml(alertsFile());
	}

	public static Map<String, Object> yaml(Path file) {
		try {
			return new Yaml().load(Files.readString(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Every panel of a dashboard's {@code panels}, depth first: rows, and the panels a (collapsed) row holds. */
	public static void forEachPanel(JsonNode panels, Consumer<JsonNode> action) {
		for (JsonNode panel : panels) {
			action.accept(panel);
			forEachPanel(panel.path("panels"), action);
		}
	}
}
