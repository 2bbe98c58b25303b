package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.Project;
import io.meshgate.e2e.support.PromQueries;
import tools.jackson.databind.JsonNode;

/**
 * The project's own Prometheus config, alert rules and dashboards against the real thing: Debian's Prometheus started
 * with observability/prometheus/prometheus-local.yml (only the control plane's port changed to this stack's) finds
 * every proxy through the control plane's discovery, scrapes them while traffic goes through edge and mesh, and then
 * answers every expression of every dashboard panel and every rule: each parses, and each panel's returns at least
 * one series. promtool checks the files, and {@code bin/meshgate stat} reads the same Prometheus.
 */
class PrometheusEndToEndTest {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	static Path work;

	static MeshStack mesh;

	static Process prometheus;

	static final int prometheusPort = FreePorts.next();

	static final AtomicInteger served = new AtomicInteger();

	static final java.util.concurrent.ScheduledExecutorService traffic = java.util.concurrent.Executors
		.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "traffic");
			thread.setDaemon(true);
			return thread;
		});

	@BeforeAll
	static void start() throws IOException {
		mesh = new MeshStack(work, "", Map.of());
		mesh.controlPlaneEnvironment(
				Map.of("MESHGATE_CONTROL_PLANE_DISCOVERY_GATEWAYS", "127.0.0.1:" + mesh.managementPort));
		mesh.startAll();
		Path config = work.resolve("prometheus");
		Files.createDirectories(config);
		Files.copy(PromQueries.alertsFile(), config.resolve("alerts.yml"));
		String controlPlane = URI.create(mesh.controlPlaneApi.managementUrl("/")).getAuthority();
		String local = Files.readString(PromQueries.observability().resolve("prometheus/prometheus-local.yml"));
		assertThat(local).contains("127.0.0.1:8889");
		Files.writeString(config.resolve("prometheus.yml"), local.replace("127.0.0.1:8889", controlPlane));
		prometheus = new ProcessBuilder("prometheus", "--config.file=" + config.resolve("prometheus.yml"),
				"--storage.tsdb.path=" + work.resolve("prometheus-data"),
				"--web.listen-address=127.0.0.1:" + prometheusPort)
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("prometheus.log").toFile())
			.start();
		HttpClient viaNodeA = HttpClient.newBuilder()
			.proxy(java.net.ProxySelector.of(new java.net.InetSocketAddress("127.0.0.1", mesh.a.outbound)))
			.build();
		AtomicInteger round = new AtomicInteger();
		traffic.scheduleAtFixedRate(() -> drive(viaNodeA, round.getAndIncrement()), 0, 100, TimeUnit.MILLISECONDS);
		await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(prometheus("/-/ready")).status() == 200);
	}

	@AfterAll
	static void stop() throws InterruptedException {
		traffic.shutdownNow();
		if (prometheus != null) {
			prometheus.destroy();
			prometheus.waitFor(10, TimeUnit.SECONDS);
		}
		if (mesh != null) {
			mesh.close();
		}
	}

	private static final List<String> EDGE_PATHS = List.of("/api/orders/1", "/api/orders/2", "/api/stock/sku-1",
			"/nowhere");

	/** One round of edge and mesh traffic, some of it refused; ten rounds a second for as long as the tests run. */
	private static void drive(HttpClient viaNodeA, int round) {
		try {
			send(HTTP, mesh.gatewayUrl(EDGE_PATHS.get(round % EDGE_PATHS.size())));
			send(viaNodeA, "http://inventory/stock/sku-" + round % 5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			// the stack is stopping
		}
	}

	private static void send(HttpClient client, String url) throws InterruptedException {
		try {
			client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.discarding());
			served.incrementAndGet();
		}
		catch (IOException ex) {
			// counted by the proxies, which is what this test reads
		}
	}

	private static String prometheus(String path) {
		return "http://127.0.0.1:" + prometheusPort + path;
	}

	@Test
	void promtoolAcceptsTheConfigsAndTheRules() throws Exception {
		Path prometheusDir = PromQueries.observability().resolve("prometheus");
		for (String file : List.of("prometheus.yml", "prometheus-local.yml")) {
			assertThat(run("promtool", "check", "config", prometheusDir.resolve(file).toString())).as(file)
				.contains("SUCCESS");
		}
		assertThat(run("promtool", "check", "rules", PromQueries.alertsFile().toString())).contains("SUCCESS");
		Path tests = prometheusDir.resolve("alerts-test.yml");
		if (Files.exists(tests)) {
			assertThat(run("promtool", "test", "rules", tests.toString())).contains("SUCCESS");
		}
	}

	@Test
	void prometheusFindsEveryProxyAndTheControlPlaneThroughTheControlPlanesDiscovery() {
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			JsonNode targets = Http.json(prometheus("/api/v1/targets?state=active")).path("data").path("activeTargets");
			Map<String, String> health = new TreeMap<>();
			targets.forEach(target -> health.put(target.path("labels").path("component").asString() + " "
					+ target.path("labels").path("node").asString(""), target.path("health").asString()));
			assertThat(health).containsOnly(Map.entry("control-plane ", "up"), Map.entry("gateway ", "up"),
					Map.entry("mesh-agent node-a", "up"), Map.entry("mesh-agent node-b", "up"));
		});
	}

	@Test
	void everyPanelAndRuleExpressionParsesAndEveryPanelShowsData() {
		List<PromQueries.Query> queries = PromQueries.all(".*");
		assertThat(queries).hasSizeGreaterThan(20);
		await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
			List<String> problems = new ArrayList<>();
			for (PromQueries.Query query : queries) {
				JsonNode answer = query(query.expr());
				if (!"success".equals(answer.path("status").asString())) {
					problems.add(query.name() + ": " + answer.path("error").asString() + " in " + query.expr());
				}
				else if (query.expectsSeries() && answer.path("data").path("result").isEmpty()) {
					problems.add(query.name() + ": no series for " + query.expr());
				}
			}
			assertThat(problems).as("%d requests served so far", served.get()).isEmpty();
		});
	}

	@Test
	void statShowsEachServicesRateSuccessAndLatencyFromPrometheus() throws Exception {
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
			String table = run(Map.of("MESHGATE_PROMETHEUS", prometheus("")), 0,
					Project.dir().resolve("bin/meshgate").toString(), "stat");
			assertThat(table.lines().findFirst().orElse("")).contains("RPS").contains("SUCCESS").contains("P99");
			assertThat(table).containsPattern("(?m)^orders\\s+.*\\d")
				.containsPattern("(?m)^inventory\\s+.*\\d");
		});
		String one = run(Map.of("MESHGATE_PROMETHEUS", prometheus("")), 0,
				Project.dir().resolve("bin/meshgate").toString(), "stat", "inventory");
		assertThat(one).containsPattern("(?m)^inventory\\s").doesNotContainPattern("(?m)^orders\\s");
		// no Prometheus there: a clear error naming where it looked, and a failing exit
		String refused = run(Map.of("MESHGATE_PROMETHEUS", "http://127.0.0.1:" + FreePorts.closed()), 1,
				Project.dir().resolve("bin/meshgate").toString(), "stat");
		assertThat(refused).contains("127.0.0.1");
	}

	private static JsonNode query(String expr) {
		Http.Response response = Http.get(prometheus("/api/v1/query?query=" + URLEncoder.encode(expr,
				StandardCharsets.UTF_8)));
		return response.json();
	}

	private static String run(String... command) throws IOException, InterruptedException {
		return run(Map.of(), 0, command);
	}

	/** Runs a command, returns its output; fails unless it exits with {@code exit} (1: any failure). */
	private static String run(Map<String, String> environment, int exit, String... command)
			throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(environment);
		Process process = builder.start();
		String output;
		try {
			output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		if (exit == 0) {
			assertThat(process.exitValue()).as(output).isZero();
		}
		else {
			assertThat(process.exitValue()).as(output).isNotZero();
		}
		return output;
	}
}
