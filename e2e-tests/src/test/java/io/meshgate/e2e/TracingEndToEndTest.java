package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.e2e.support.ConfigRepo;
import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.JavaProcess;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.PrometheusScrape;
import io.meshgate.e2e.support.Project;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Traces and access logs across every hop, against a real Zipkin ({@code zipkin-server} 3.6.1, in memory): the gateway,
 * node-a's agent (inbound to orders, outbound for orders' call to inventory) and node-b's agent (inbound to
 * inventory) each report a span, linked parent to child through the {@code traceparent} each proxy sends on (orders
 * passes it along as any instrumented app would); the sampling rate is a commit away; the access log has each hop's
 * line with the trace id; a collector that goes away costs no request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TracingEndToEndTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	static Path work;

	static MeshStack mesh;

	static JavaProcess zipkin;

	static final int zipkinPort = FreePorts.next();

	@BeforeAll
	static void start() {
		zipkin = new JavaProcess("zipkin", Project.dir().resolve("e2e-tests/target/zipkin/zipkin-server.jar"), work,
				Map.of("QUERY_PORT", String.valueOf(zipkinPort), "STORAGE_TYPE", "mem"))
			.start();
		mesh = new MeshStack(work, "", Map.of());
		// orders' calls to inventory go to inventory-v2, which only node-b runs: every trace crosses both nodes
		mesh.repo.edit("application.yml", yaml -> ConfigRepo.withTelemetry(yaml, telemetry(1.0)).replace("  routes:\n",
				"  routes:\n    - id: stock-on-node-b\n      match: { service: inventory }\n      to: inventory-v2\n"),
				"every trace recorded, to this test's Zipkin; every request logged; stock from node-b");
		mesh.startAll();
		zipkin.awaitHealthy(zipkinUrl("/health"), Duration.ofSeconds(120));
		await().atMost(Duration.ofSeconds(20)).until(() -> Http.get(mesh.gatewayUrl("/api/orders/1")).status() == 200);
	}

	@AfterAll
	static void stop() {
		if (mesh != null) {
			mesh.close();
		}
		if (zipkin != null) {
			zipkin.close();
		}
	}

	static String telemetry(double sampling) {
		return """
				  telemetry:
				    tracing:
				      endpoint: http://127.0.0.1:%d/api/v2/spans
				      sampling: %s
				    access-log: all
				""".formatted(zipkinPort, sampling);
	}

	@Test
	@Order(1)
	void oneRequestThroughTheGatewayIsOneTraceWithASpanPerHopLinkedParentToChild() {
		// the caller's own span: the gateway's span is its child
		String callerSpan = "b7ad6b7169203331";
		String traceId = randomHex(16);
		HttpResponse<String> response = get(mesh.gatewayUrl("/api/orders/100"), "00-" + traceId + "-" + callerSpan + "-01");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).contains("inventory@" + mesh.inventoryV2);

		String id = traceId;
		List<JsonNode> spans = await().atMost(Duration.ofSeconds(15)).until(() -> trace(id), list -> list.size() >= 4);
		assertThat(spans).hasSize(4);
		JsonNode edge = span(spans, "gateway", "SERVER");
		JsonNode intoOrders = span(spans, "agent-node-a", "SERVER");
		JsonNode outOfOrders = span(spans, "agent-node-a", "CLIENT");
		JsonNode intoInventory = span(spans, "agent-node-b", "SERVER");

		assertThat(edge.path("parentId").asString()).isEqualTo(callerSpan);
		assertThat(intoOrders.path("parentId").asString()).isEqualTo(edge.path("id").asString());
		// orders forwarded the traceparent it got from node-a's inbound span
		assertThat(outOfOrders.path("parentId").asString()).isEqualTo(intoOrders.path("id").asString());
		assertThat(intoInventory.path("parentId").asString()).isEqualTo(outOfOrders.path("id").asString());

		assertThat(tags(edge)).containsEntry("meshgate.direction", "ingress")
			.containsEntry("meshgate.route", "orders-api")
			.containsEntry("meshgate.destination", "orders")
			.containsEntry("meshgate.endpoint.node", "node-a")
			.containsEntry("meshgate.outcome", "success")
			.containsEntry("http.status_code", "200")
			.containsEntry("http.method", "GET")
			.doesNotContainKey("error");
		assertThat(edge.path("name").asString()).isEqualTo("get orders-api");
		assertThat(tags(intoOrders)).containsEntry("meshgate.direction", "inbound")
			.containsEntry("meshgate.destination", "orders")
			.containsEntry("meshgate.peer.identity", "spiffe://meshgate.local/svc/gateway");
		assertThat(tags(outOfOrders)).containsEntry("meshgate.direction", "outbound")
			.containsEntry("meshgate.source", "orders")
			.containsEntry("meshgate.route", "stock-on-node-b")
			.containsEntry("meshgate.destination", "inventory-v2")
			.containsEntry("meshgate.endpoint.node", "node-b");
		assertThat(tags(intoInventory)).containsEntry("meshgate.direction", "inbound")
			.containsEntry("meshgate.destination", "inventory-v2")
			.containsEntry("meshgate.peer.identity", "spiffe://meshgate.local/svc/orders");
		// a hop's span lasts at least as long as the ones it waited for
		assertThat(edge.path("duration").asLong()).isGreaterThanOrEqualTo(intoOrders.path("duration").asLong());
		assertThat(intoOrders.path("duration").asLong()).isGreaterThanOrEqualTo(outOfOrders.path("duration").asLong());

		// the access log: one JSON line per hop with this trace id, from each proxy
		Map<String, JsonNode> lines = new HashMap<>();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			lines.clear();
			accessLines(mesh.gateway(), id).forEach(line -> lines.put("gateway " + line.path("direction").asString(), line));
			accessLines(mesh.agentA, id).forEach(line -> lines.put("node-a " + line.path("direction").asString(), line));
			accessLines(mesh.agentB, id).forEach(line -> lines.put("node-b " + line.path("direction").asString(), line));
			assertThat(lines).containsOnlyKeys("gateway ingress", "node-a inbound", "node-a outbound", "node-b inbound");
		});
		JsonNode line = lines.get("gateway ingress");
		assertThat(line.path("proxy").asString()).isEqualTo("gateway");
		assertThat(line.path("route").asString()).isEqualTo("orders-api");
		assertThat(line.path("destination").asString()).isEqualTo("orders");
		assertThat(line.path("status").asInt()).isEqualTo(200);
		assertThat(line.path("outcome").asString()).isEqualTo("success");
		assertThat(line.path("path").asString()).startsWith("/api/orders/");
		assertThat(line.path("span_id").asString()).isEqualTo(edge.path("id").asString());
		assertThat(line.path("response_bytes").asLong()).isPositive();
		assertThat(line.path("duration_ms").asDouble()).isPositive()
			.isGreaterThanOrEqualTo(line.path("upstream_ms").asDouble());
		assertThat(line.path("upstream_ms").asDouble()).isPositive();
		assertThat(lines.get("node-b inbound").path("peer").asString())
			.isEqualTo("spiffe://meshgate.local/svc/orders");
		assertThat(lines.get("node-a outbound").path("source").asString()).isEqualTo("orders");
	}

	@Test
	@Order(2)
	void aRequestWithoutTraceContextStartsATraceAtTheEdgeThatTheNextHopsJoin() {
		assertThat(get(mesh.gatewayUrl("/api/orders/4242"), null).statusCode()).isEqualTo(200);
		List<JsonNode> spans = await().atMost(Duration.ofSeconds(15))
			.until(() -> tracesWithPath("/api/orders/4242"), traces -> traces.size() == 1 && traces.get(0).size() == 4)
			.get(0);
		JsonNode edge = span(spans, "gateway", "SERVER");
		assertThat(edge.has("parentId")).as("the edge started the trace: its span is the root").isFalse();
		assertThat(spans).allSatisfy(span -> assertThat(span.path("traceId").asString())
			.isEqualTo(edge.path("traceId").asString()).hasSize(32));
	}

	@Test
	@Order(3)
	void theSamplingRateIsACommitAwayAndANewTraceIsThenNotRecordedByAnyHop() {
		String commit = mesh.repo.edit("application.yml", yaml -> ConfigRepo.withTelemetry(yaml, telemetry(0.0)),
				"record no new trace");
		for (String metrics : List.of(mesh.managementUrl("/actuator/prometheus"), mesh.a.adminUrl("/actuator/prometheus"),
				mesh.b.adminUrl("/actuator/prometheus"))) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> PrometheusScrape.of(metrics).labelValues("meshgate_config_info", "version").contains(commit));
		}
		assertThat(get(mesh.gatewayUrl("/api/orders/5151"), null).statusCode()).isEqualTo(200);
		// a caller that decided to sample is still followed: its trace shows the collector is being written to
		String marker = randomHex(16);
		assertThat(get(mesh.gatewayUrl("/api/orders/5152"), "00-" + marker + "-b7ad6b7169203331-01").statusCode())
			.isEqualTo(200);
		await().atMost(Duration.ofSeconds(15)).until(() -> trace(marker).size() == 4);
		assertThat(tracesWithPath("/api/orders/5151")).isEmpty();
		// and the access log, set to all, still has the unsampled request's lines (with its trace id)
		assertThat(mesh.gateway().log()).contains("\"path\":\"/api/orders/5151\"");
	}

	@Test
	@Order(4)
	void withTheCollectorGoneRequestsAreServedAndItsSpansCountedAsDropped() {
		mesh.repo.edit("application.yml", yaml -> ConfigRepo.withTelemetry(yaml, telemetry(1.0)), "record every trace");
		zipkin.stop();
		String metrics = mesh.managementUrl("/actuator/prometheus");
		double droppedBefore = PrometheusScrape.of(metrics).sum("meshgate_tracing_spans_dropped_total", Map.of());
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(get(mesh.gatewayUrl("/api/orders/6"), null).statusCode()).isEqualTo(200);
			assertThat(PrometheusScrape.of(metrics).sum("meshgate_tracing_spans_dropped_total", Map.of()))
				.isGreaterThan(droppedBefore);
		});
		for (int i = 0; i < 20; i++) {
			assertThat(get(mesh.gatewayUrl("/api/orders/" + i), null).statusCode()).isEqualTo(200);
		}
	}

	// --- helpers

	private static HttpResponse<String> get(String url, String traceparent) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
		if (traceparent != null) {
			request.header("traceparent", traceparent);
		}
		try {
			return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String zipkinUrl(String path) {
		return "http://127.0.0.1:" + zipkinPort + path;
	}

	/** The spans Zipkin holds for a trace (none yet: empty). */
	private static List<JsonNode> trace(String traceId) {
		Http.Response response = Http.get(zipkinUrl("/api/v2/trace/" + traceId));
		List<JsonNode> spans = new ArrayList<>();
		if (response.status() == 200) {
			response.json().forEach(spans::add);
		}
		return spans;
	}

	/** The traces whose gateway span has this path. */
	private static List<List<JsonNode>> tracesWithPath(String path) {
		JsonNode traces = Http.json(zipkinUrl("/api/v2/traces?serviceName=gateway&limit=100&annotationQuery="
				+ URLEncoder.encode("http.path=" + path, StandardCharsets.UTF_8)));
		List<List<JsonNode>> all = new ArrayList<>();
		for (JsonNode trace : traces) {
			List<JsonNode> spans = new ArrayList<>();
			trace.forEach(spans::add);
			all.add(spans);
		}
		return all;
	}

	private static JsonNode span(List<JsonNode> spans, String service, String kind) {
		List<JsonNode> found = spans.stream()
			.filter(span -> span.path("localEndpoint").path("serviceName").asString().equals(service)
					&& span.path("kind").asString().equals(kind))
			.toList();
		assertThat(found).as("one %s span of %s in %s", kind, service, spans).hasSize(1);
		return found.get(0);
	}

	private static Map<String, String> tags(JsonNode span) {
		Map<String, String> tags = new HashMap<>();
		span.path("tags").properties().forEach(tag -> tags.put(tag.getKey(), tag.getValue().asString()));
		return tags;
	}

	private static List<JsonNode> accessLines(JavaProcess process, String traceId) {
		return process.log()
			.lines()
			.filter(line -> line.startsWith("{\"time\"") && line.contains("\"trace_id\":\"" + traceId + "\""))
			.map(JSON::readTree)
			.toList();
	}

	private static String randomHex(int bytes) {
		byte[] random = new byte[bytes];
		ThreadLocalRandom.current().nextBytes(random);
		return HexFormat.of().formatHex(random);
	}
}
