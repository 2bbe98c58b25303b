package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.meshgate.e2e.support.Project;
import io.meshgate.e2e.support.PromQueries;
import io.meshgate.e2e.support.PromQueries.Kind;
import io.meshgate.e2e.support.PromQueries.Query;
import tools.jackson.databind.JsonNode;

/**
 * The observability files, read without running anything: Grafana's dashboards and provisioning, Prometheus'
 * configs and rules (promtool checks their syntax: `promtool check config`, `promtool check rules`, `promtool test
 * rules observability/prometheus/alerts-test.yml`).
 */
class ObservabilityFilesTest {

	private static final Path GRAFANA = PromQueries.observability().resolve("grafana");

	private static final Path PROMETHEUS = PromQueries.observability().resolve("prometheus");

	private static final Map<String, String> DASHBOARDS = Map.of("mesh-overview.json", "meshgate-overview",
			"edge.json", "meshgate-edge", "node-agent.json", "meshgate-node-agent", "control-plane.json",
			"meshgate-control-plane");

	private static Map<String, JsonNode> dashboards() {
		Map<String, JsonNode> dashboards = new TreeMap<>();
		for (Path file : PromQueries.dashboardFiles()) {
			dashboards.put(file.getFileName().toString(), PromQueries.dashboard(file));
		}
		return dashboards;
	}

	private static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		PromQueries.forEachPanel(dashboard.path("panels"), panels::add);
		return panels;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> provisionedDatasource() {
		Map<String, Object> file = PromQueries.yaml(GRAFANA.resolve("provisioning/datasources/prometheus.yml"));
		List<Map<String, Object>> datasources = (List<Map<String, Object>>) file.get("datasources");
		assertThat(datasources).hasSize(1);
		return datasources.get(0);
	}

	@Test
	void everyDashboardParsesWithItsOwnUid() {
		Map<String, JsonNode> dashboards = dashboards();

		assertThat(dashboards).containsOnlyKeys(DASHBOARDS.keySet());
		dashboards.forEach((file, dashboard) -> {
			assertThat(dashboard.path("uid").asString()).as(file).isEqualTo(DASHBOARDS.get(file));
			assertThat(dashboard.path("title").asString()).as(file).isNotBlank();
			// a provisioned dashboard has no database id of its own
			assertThat(dashboard.path("id").isMissingNode() || dashboard.path("id").isNull()).as(file).isTrue();
		});
		assertThat(dashboards.values().stream().map(d -> d.path("uid").asString()).distinct()).hasSize(dashboards.size());
	}

	@Test
	void everyPanelQueriesPrometheus() {
		dashboards().forEach((file, dashboard) -> {
			for (JsonNode panel : panels(dashboard)) {
				String where = file + ": " + panel.path("title").asString();
				if (panel.path("type").asString().equals("row")) {
					assertThat(panel.path("targets").isEmpty()).as(where).isTrue();
					continue;
				}
				assertThat(panel.path("type").asString()).as(where).isIn("timeseries", "stat", "table");
				assertThat(panel.path("targets").isArray()).as(where).isTrue();
				assertThat(panel.path("targets")).as(where).isNotEmpty();
				Set<String> refIds = new HashSet<>();
				for (JsonNode target : panel.path("targets")) {
					assertThat(target.path("expr").asString()).as(where).isNotBlank();
					assertThat(refIds.add(target.path("refId").asString())).as(where + ": refId " + target.path("refId"))
						.isTrue();
				}
				assertThat(panel.path("gridPos").path("w").asInt()).as(where).isBetween(1, 24);
				assertThat(panel.path("description").asString()).as(where).isNotBlank();
			}
		});
	}

	@Test
	void panelIdsAreUniquePerDashboard() {
		dashboards().forEach((file, dashboard) -> {
			Set<Integer> ids = new HashSet<>();
			for (JsonNode panel : panels(dashboard)) {
				assertThat(panel.path("id").isInt()).as(file + ": " + panel.path("title")).isTrue();
				assertThat(ids.add(panel.path("id").asInt())).as(file + ": id " + panel.path("id") + " twice").isTrue();
			}
		});
	}

	@Test
	void everyDatasourceIsTheProvisionedPrometheus() {
		Map<String, Object> provisioned = provisionedDatasource();
		assertThat(provisioned.get("type")).isEqualTo("prometheus");
		dashboards().forEach((file, dashboard) -> {
			List<JsonNode> references = new ArrayList<>();
			collectDatasources(dashboard, references);
			// the panels, their targets, the annotation and the node variable
			assertThat(references).as(file).hasSizeGreaterThan(panels(dashboard).size());
			for (JsonNode reference : references) {
				assertThat(reference.isObject()).as(file + ": datasource " + reference).isTrue();
				assertThat(reference.path("uid").asString()).as(file + ": datasource " + reference)
					.isEqualTo(provisioned.get("uid"));
				assertThat(reference.path("type").asString()).as(file + ": datasource " + reference)
					.isEqualTo("prometheus");
			}
		});
	}

	private static void collectDatasources(JsonNode node, List<JsonNode> references) {
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> field : node.properties()) {
				if (field.getKey().equals("datasource")) {
					references.add(field.getValue());
				}
				else {
					collectDatasources(field.getValue(), references);
				}
			}
		}
		else if (node.isArray()) {
			for (JsonNode element : node) {
				collectDatasources(element, references);
			}
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void grafanaLoadsTheDashboardsFromWhereComposeMountsThem() {
		Map<String, Object> provider = ((List<Map<String, Object>>) PromQueries
			.yaml(GRAFANA.resolve("provisioning/dashboards/meshgate.yml"))
			.get("providers")).get(0);
		String path = (String) ((Map<String, Object>) provider.get("options")).get("path");

		Map<String, Object> compose = PromQueries.yaml(Project.dir().resolve("docker-compose.yml"));
		Map<String, Object> grafana = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("grafana");
		Map<String, String> mounts = new TreeMap<>();
		for (Object volume : (List<Object>) grafana.get("volumes")) {
			String[] parts = volume.toString().split(":");
			mounts.put(Path.of(parts[0]).normalize().toString(), parts[1]);
		}

		assertThat(path).isEqualTo("/var/lib/grafana/dashboards");
		assertThat(mounts).containsEntry("observability/grafana/dashboards", path)
			.containsEntry("observability/grafana/provisioning/dashboards", "/etc/grafana/provisioning/dashboards")
			.containsEntry("observability/grafana/provisioning/datasources", "/etc/grafana/provisioning/datasources");
		assertThat(provider.get("type")).isEqualTo("file");
	}

	@Test
	void everyDashboardShowsTheConfigCommits() {
		String uid = (String) provisionedDatasource().get("uid");
		dashboards().forEach((file, dashboard) -> {
			List<JsonNode> commits = new ArrayList<>();
			for (JsonNode annotation : dashboard.path("annotations").path("list")) {
				if (annotation.path("expr").asString().contains("meshgate_controlplane_commits_total")) {
					commits.add(annotation);
				}
			}
			assertThat(commits).as(file).hasSize(1);
			assertThat(commits.get(0).path("enable").asBoolean()).as(file).isTrue();
			assertThat(commits.get(0).path("datasource").path("uid").asString()).as(file).isEqualTo(uid);
		});
	}

	@Test
	void expressionsUseNoOtherGrafanaVariable() {
		List<Query> queries = new ArrayList<>(PromQueries.all());
		queries.addAll(PromQueries.annotations());
		for (Query query : queries) {
			assertThat(query.expr()).as(query.name()).isNotBlank().doesNotContain("$");
		}
		// $node only where the dashboard has the variable
		dashboards().forEach((file, dashboard) -> {
			boolean hasNode = false;
			for (JsonNode variable : dashboard.path("templating").path("list")) {
				hasNode |= variable.path("name").asString().equals("node");
			}
			for (JsonNode panel : panels(dashboard)) {
				for (JsonNode target : panel.path("targets")) {
					if (target.path("expr").asString().contains("$node")) {
						assertThat(hasNode).as(file + ": " + panel.path("title") + " uses $node").isTrue();
					}
				}
			}
		});
		assertThat(dashboards().get("node-agent.json").path("templating").path("list").toString()).contains("\"node\"");
	}

	@Test
	void promQueriesListsEveryPanelTargetAndRule() {
		List<Query> queries = PromQueries.all();
		long targets = dashboards().values()
			.stream()
			.flatMap(dashboard -> panels(dashboard).stream())
			.mapToLong(panel -> panel.path("targets").size())
			.sum();

		assertThat(queries.stream().filter(q -> q.kind() == Kind.PANEL)).hasSize((int) targets);
		assertThat(queries.stream().filter(q -> q.kind() == Kind.RECORDING_RULE)).isNotEmpty();
		assertThat(queries.stream().filter(q -> q.kind() == Kind.ALERT)).isNotEmpty();
		assertThat(queries.stream().map(Query::name).distinct()).hasSize(queries.size());
		assertThat(PromQueries.substitute("rate(x{node=~\"$node\"}[$__rate_interval])", "node-a|node-b"))
			.isEqualTo("rate(x{node=~\"node-a|node-b\"}[1m])");
		assertThat(PromQueries.annotations()).hasSize(DASHBOARDS.size());
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyRuleIsNamedAndEveryAlertHasASeverityAndWords() {
		Set<String> names = new HashSet<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) PromQueries.alertRules().get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				String name = (String) (rule.containsKey("record") ? rule.get("record") : rule.get("alert"));
				assertThat(name).as(rule.toString()).isNotBlank();
				if (rule.containsKey("alert")) {
					assertThat(names.add(name)).as("alert " + name + " twice").isTrue();
					Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
					Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
					assertThat(labels).as(name).isNotNull();
					assertThat(labels.get("severity")).as(name).isIn("critical", "warning", "info");
					assertThat(annotations).as(name).isNotNull();
					assertThat((String) annotations.get("summary")).as(name).isNotBlank();
					assertThat((String) annotations.get("description")).as(name).isNotBlank();
				}
			}
		}
		assertThat(names).contains("MeshgateServiceErrorRateHigh", "MeshgateRouteErrorRateHigh",
				"MeshgateAvailabilityBudgetBurn", "MeshgateLatencyBudgetBurn", "MeshgateNoHealthyEndpoint",
				"MeshgateConfigRejected", "MeshgateCommitInvalid", "MeshgateControlPlaneDisconnected",
				"MeshgateTargetDown", "MeshgateCertificateExpiringSoon");
	}

	@Test
	@SuppressWarnings("unchecked")
	void bothPrometheusConfigsDiscoverTheMeshFromTheControlPlaneAndLoadTheRules() {
		for (String config : List.of("prometheus.yml", "prometheus-local.yml")) {
			Map<String, Object> prometheus = PromQueries.yaml(PROMETHEUS.resolve(config));
			Map<String, Object> global = (Map<String, Object>) prometheus.get("global");
			List<String> ruleFiles = (List<String>) prometheus.get("rule_files");
			List<Map<String, Object>> jobs = (List<Map<String, Object>>) prometheus.get("scrape_configs");

			assertThat(global.get("scrape_interval")).as(config).isEqualTo("5s");
			// relative to the config file's directory: /etc/prometheus in compose, observability/prometheus locally
			assertThat(ruleFiles).as(config).containsExactly("alerts.yml");
			assertThat(Files.isRegularFile(PROMETHEUS.resolve(ruleFiles.get(0)))).isTrue();
			assertThat(jobs).as(config).hasSize(1);
			Map<String, Object> job = jobs.get(0);
			assertThat(job.get("job_name")).as(config).isEqualTo("meshgate");
			assertThat(job.get("honor_labels")).as(config).isEqualTo(true);
			List<Map<String, Object>> discovery = (List<Map<String, Object>>) job.get("http_sd_configs");
			assertThat(discovery).as(config).hasSize(1);
			assertThat(discovery.get(0).get("refresh_interval")).as(config).isEqualTo("5s");
			assertThat((String) discovery.get(0).get("url")).as(config)
				.isEqualTo(config.equals("prometheus.yml") ? "http://control-plane:8889/actuator/targets"
						: "http://127.0.0.1:8889/actuator/targets");
		}
		// promtool test rules observability/prometheus/alerts-test.yml: the rules' unit tests
		assertThat(Files.isRegularFile(PROMETHEUS.resolve("alerts-test.yml"))).isTrue();
	}
}
