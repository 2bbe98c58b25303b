package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.meshgate.e2e.support.EdgeStack;
import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.Http.Response;
import tools.jackson.databind.JsonNode;

/**
 * The edge end to end: a control plane on a temporary Git repository, the gateway, and the demo services, as real
 * processes on loopback. Started once for the class; the tests run in order because the last ones stop processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeEndToEndTest {

	private static final Duration APPLY_DEADLINE = Duration.ofSeconds(3);

	@TempDir
	static Path work;

	static EdgeStack stack;

	@BeforeAll
	static void start() {
		stack = new EdgeStack(work).startAll();
		// the gateway is healthy once a config is applied; the routes follow within the same refresh
		await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(stack.gatewayUrl("/api/orders/1")).status() == 200);
	}

	@AfterAll
	static void stop() {
		if (stack != null) {
			stack.close();
		}
	}

	@Test
	@Order(1)
	void aRequestThroughTheGatewayGetsTheServicesAnswer() {
		Response order = Http.get(stack.gatewayUrl("/api/orders/42"));
		assertThat(order.status()).isEqualTo(200);
		JsonNode body = order.json();
		assertThat(body.path("id").asString()).isEqualTo("42");
		assertThat(body.path("instance").asString()).isEqualTo("orders@" + stack.ordersPort);
		// orders called inventory (east-west), so the answer carries inventory's part too
		assertThat(body.path("stock").path("instance").asString()).isEqualTo("inventory@" + stack.inventoryPort);

		Response stock = Http.get(stack.gatewayUrl("/api/stock/sku-9"));
		assertThat(stock.status()).isEqualTo(200);
		assertThat(stock.json().path("sku").asString()).isEqualTo("sku-9");

		// the route allows GET only; anything else finds no route
		assertThat(Http.get(stack.gatewayUrl("/nothing-here")).status()).isEqualTo(404);
	}

	@Test
	@Order(2)
	void aPlainSpringCloudGatewayRouteFromGatewayYmlWorksToo() {
		Response health = Http.get(stack.gatewayUrl("/demo/inventory-health"));
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().path("instance").asString()).isEqualTo("inventory@" + stack.inventoryPort);
	}

	@Test
	@Order(3)
	void theActuatorShowsTheAppliedVersion() {
		String head = stack.controlPlaneApi.json("/mesh/v1/status").path("version").asString();
		JsonNode mesh = Http.json(stack.managementUrl("/actuator/mesh"));
		assertThat(mesh.path("version").asString()).isEqualTo(head);
		assertThat(mesh.path("origin").asString()).isEqualTo("control-plane");
		assertThat(mesh.path("appliedAt").asString()).isNotEmpty();
		assertThat(mesh.path("controlPlane").path("connected").asBoolean()).isTrue();

		JsonNode health = Http.json(stack.managementUrl("/actuator/health"));
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("meshConfig").path("details").path("version").asString())
			.isEqualTo(head);
		assertThat(Http.json(stack.managementUrl("/actuator/info")).path("meshConfig").path("version").asString())
			.isEqualTo(head);
		assertThat(Http.json(stack.controlPlaneApi.managementUrl("/actuator/info")).path("config").path("version").asString())
			.isEqualTo(head);
		assertThat(Http.get(stack.managementUrl("/actuator/prometheus")).body())
			.contains("meshgate_config_applied_total")
			.contains("meshgate_config_control_plane_connected{application=\"gateway\"} 1.0");
		// the model's ingress routes in /actuator/mesh, gateway.yml's plain routes in Spring Cloud Gateway's own list
		assertThat(mesh.path("plane").path("gateway").path("routes").toString()).contains("\"id\":\"orders-api\"");
		assertThat(Http.json(stack.managementUrl("/actuator/gateway/routes")).toString()).contains("inventory-health")
			.doesNotContain("orders-api");
	}

	@Test
	@Order(3)
	void aWatchSubscriberLearnsTheCurrentVersionAtOnce() throws Exception {
		String head = stack.controlPlaneApi.json("/mesh/v1/status").path("version").asString();
		HttpClient client = stack.controlPlaneApi.client();
		HttpResponse<Stream<String>> response = client.sendAsync(
				HttpRequest.newBuilder(URI.create(stack.controlPlaneApi.url("/mesh/v1/watch")))
					.header("Authorization", "Bearer " + stack.controlPlaneApi.operatorSecret())
					.build(),
				HttpResponse.BodyHandlers.ofLines())
			.get(5, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("text/event-stream"));
		try (Stream<String> lines = response.body()) {
			List<String> firstEvent = lines.limit(3).toList();
			assertThat(firstEvent).containsExactly("event:version", "id:" + head,
					firstEvent.get(2)).anySatisfy(line -> assertThat(line).startsWith("data:{\"version\":\"" + head));
		}
	}

	@Test
	@Order(4)
	void aCommittedRouteChangeIsServedWithinThreeSeconds() {
		long started = System.nanoTime();
		stack.repo.edit("application.yml", yaml -> yaml.replace("path: /api/orders/**", "path: /shop/orders/**"),
				"move the orders API");

		await().atMost(APPLY_DEADLINE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> Http.get(stack.gatewayUrl("/shop/orders/7")).status() == 200);
		long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
		System.out.println("[measured] commit -> new route served by the gateway: " + millis + " ms");

		assertThat(Http.get(stack.gatewayUrl("/api/orders/7")).status()).isEqualTo(404);
		// served by the same gateway process: it started once
		assertThat(stack.gateway().log().split("Started GatewayApplication", -1)).hasSize(2);
	}

	@Test
	@Order(5)
	void aWeightedSplitAtTheEdgeSendsTrafficToBothServices() {
		stack.repo.edit("application.yml",
				yaml -> yaml.replace("strip-prefix: 1 }\n      to: inventory",
						"strip-prefix: 1 }\n      to: [ { service: inventory, weight: 50 }, { service: orders, weight: 50 } ]"),
				"split stock between two services");
		await().atMost(APPLY_DEADLINE).until(() -> Http.get(stack.gatewayUrl("/api/stock/x")).status() == 404);
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			statuses.add(Http.get(stack.gatewayUrl("/api/stock/sku-1")).status());
		}
		// inventory answers /stock/sku-1 with 200, orders has no /stock and answers 404
		long toInventory = statuses.stream().filter(status -> status == 200).count();
		System.out.println("[measured] 50/50 split over 200 requests: " + toInventory + " to inventory");
		assertThat(toInventory).isBetween(60L, 140L);
	}

	@Test
	@Order(5)
	void theGatewayAnswersItsOwnErrorsWithTheServiceAndTheCause() {
		int closedPort = FreePorts.closed();
		stack.repo.edit("application.yml", yaml -> yaml.replace("  routes:\n", """
				    unreachable:
				      endpoints: [ http://127.0.0.1:%d ]
				    nowhere:
				    slow:
				      timeout: 300ms
				      endpoints: [ http://127.0.0.1:%d ]
				  routes:
				""".formatted(closedPort, stack.ordersPort))
			.replace("  policies:\n", """
				    - { id: unreachable-api, ingress: { path: /unreachable/** }, to: unreachable }
				    - { id: nowhere-api, ingress: { path: /nowhere/** }, to: nowhere }
				    - { id: slow-api, ingress: { path: /slow/**, strip-prefix: 1 }, to: slow }
				  policies:
				"""), "services that fail in each way");
		await().atMost(APPLY_DEADLINE).until(() -> Http.get(stack.gatewayUrl("/nowhere/x")).status() == 503);

		Response none = Http.get(stack.gatewayUrl("/nowhere/x"));
		assertThat(none.body()).contains("\"error\":\"no_healthy_endpoint\"").contains("nowhere");
		Response refused = Http.get(stack.gatewayUrl("/unreachable/x"));
		assertThat(refused.status()).isEqualTo(502);
		// the caller learns the service and a request id; the endpoint's address goes to the gateway's log only
		assertThat(refused.body()).contains("\"error\":\"connect_failed\"").contains("unreachable")
			.doesNotContain(":" + closedPort)
			.containsPattern("\"requestId\":\"[0-9a-f]{32}\"");
		String requestId = refused.json().path("requestId").asString();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> stack.gateway().log().lines()
				.anyMatch(line -> line.contains(requestId) && line.contains(":" + closedPort)));
		long started = System.nanoTime();
		Response late = Http.get(stack.gatewayUrl("/slow/delay/2000"));
		assertThat(late.status()).isEqualTo(504);
		assertThat(late.body()).contains("\"error\":\"timeout\"").contains("slow");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
		// within the service's timeout the same route answers
		assertThat(Http.get(stack.gatewayUrl("/slow/delay/10")).status()).isEqualTo(200);
	}

	static Stream<Arguments> invalidCommits() {
		return Stream.of(Arguments.of("unknown destination", "application.yml",
				(java.util.function.UnaryOperator<String>) yaml -> yaml.replace("to: orders", "to: ordrs"),
				"config-repo/application.yml: mesh.routes[0].to: unknown service 'ordrs' (did you mean 'orders'?)"),
				Arguments.of("bad duration", "application.yml",
						(java.util.function.UnaryOperator<String>) yaml -> yaml.replace("timeout: 2s", "timeout: 2 secs"),
						"config-repo/application.yml: mesh.services.orders.timeout: '2 secs' is not a duration"),
				Arguments.of("duplicate route id", "application.yml",
						(java.util.function.UnaryOperator<String>) yaml -> yaml.replace("id: stock-api", "id: orders-api"),
						"config-repo/application.yml: mesh.routes[1].id: duplicate route id 'orders-api'"),
				Arguments.of("YAML syntax error", "application.yml",
						(java.util.function.UnaryOperator<String>) yaml -> yaml.replace("  routes:", "  routes: [\n - x"),
						"config-repo/application.yml: YAML syntax error at line"),
				Arguments.of("typo in a key", "application.yml",
						(java.util.function.UnaryOperator<String>) yaml -> yaml.replace("strip-prefix: 1 }\n      to: orders",
								"strip-prefx: 1 }\n      to: orders"),
						"config-repo/application.yml: mesh.routes[0].ingress.strip-prefx: unknown key 'strip-prefx' "
								+ "(did you mean 'strip-prefix'?)"),
				Arguments.of("unknown filter in a plain gateway route", "gateway.yml",
						(java.util.function.UnaryOperator<String>) yaml -> yaml.replace("SetPath=", "SetPth="),
						"config-repo/gateway.yml: spring.cloud.gateway.server.webflux.routes[0].filters[0]: unknown "
								+ "filter 'SetPth' (did you mean 'SetPath'?)"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidCommits")
	@Order(6)
	void anInvalidCommitIsRejectedAndTheRoutesKeepServing(String description, String file,
			java.util.function.UnaryOperator<String> breakIt, String expectedError) {
		String good = stack.repo.read(file);
		String appliedBefore = Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString();
		String bad = stack.repo.edit(file, breakIt, "break it: " + description);
		try {
			JsonNode rejection = await().atMost(APPLY_DEADLINE)
				.until(() -> Http.json(stack.managementUrl("/actuator/mesh")).path("lastRejection"),
						r -> bad.equals(r.path("version").asString()));
			assertThat(errorsOf(rejection)).anyMatch(error -> error.startsWith(expectedError));

			JsonNode mesh = Http.json(stack.managementUrl("/actuator/mesh"));
			assertThat(mesh.path("version").asString()).isEqualTo(appliedBefore);
			assertThat(Http.get(stack.gatewayUrl("/shop/orders/3")).status()).isEqualTo(200);
			assertThat(Http.get(stack.gatewayUrl("/demo/inventory-health")).status()).isEqualTo(200);
			assertThat(Http.json(stack.managementUrl("/actuator/health")).path("components").path("meshConfig")
				.path("details").path("lastRejection").path("version").asString()).isEqualTo(bad);

			JsonNode status = stack.controlPlaneApi.json("/mesh/v1/status");
			assertThat(status.path("version").asString()).isEqualTo(bad);
			if (file.equals("gateway.yml")) {
				// plain gateway routes are checked by the gateway, which knows its filters; the model is fine
				assertThat(status.path("valid").asBoolean()).isTrue();
			}
			else {
				assertThat(status.path("valid").asBoolean()).isFalse();
				assertThat(errorsOf(status)).anyMatch(error -> error.startsWith(expectedError));
			}
			assertThat(stack.gateway().log()).contains("Rejected config " + bad.substring(0, 10));
		}
		finally {
			String fixed = stack.repo.commit(file, good, "undo: " + description);
			await().atMost(APPLY_DEADLINE)
				.until(() -> Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString(), fixed::equals);
		}
	}

	/**
	 * What the flat properties lose, found on the YAML tree: a typo'd key whose value is an empty map is an error
	 * naming file, key and line, which the gateway takes from the control plane and does not apply though its own
	 * check of the flat properties passes; {@code name: {}} declares a service.
	 */
	@Test
	@Order(6)
	void anEmptyMapIsSeenOnTheYamlTreeAsATypoOrAsAServiceDeclaration() {
		String good = stack.repo.read("application.yml");
		String appliedBefore = Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString();
		String typo = stack.repo.edit("application.yml", yaml -> yaml.replace("mesh:\n", "mesh:\n  servcies:\n    x: {}\n"),
				"a typo'd key with an empty map");
		try {
			JsonNode rejection = await().atMost(APPLY_DEADLINE)
				.until(() -> Http.json(stack.managementUrl("/actuator/mesh")).path("lastRejection"),
						r -> typo.equals(r.path("version").asString()));
			int line = (int) good.lines().takeWhile(l -> !l.equals("mesh:")).count() + 3;
			assertThat(rejection.path("errors").get(0).asString()).startsWith("config-repo/application.yml:" + line
					+ ": mesh.servcies.x: unknown key 'servcies' (did you mean 'services'?)");
			JsonNode status = stack.controlPlaneApi.json("/mesh/v1/status");
			assertThat(status.path("valid").asBoolean()).isFalse();
			assertThat(status.path("errors").get(0).path("line").asInt()).isEqualTo(line);
			assertThat(Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString())
				.isEqualTo(appliedBefore);
			assertThat(Http.get(stack.gatewayUrl("/shop/orders/3")).status()).isEqualTo(200);
		}
		finally {
			stack.repo.commit("application.yml", good, "undo the typo");
		}
		String declared = stack.repo.edit("application.yml", yaml -> yaml.replace("  services:\n", "  services:\n    spare: {}\n")
			.replace("  routes:\n", "  routes:\n    - { id: spare-api, ingress: { path: /spare/** }, to: spare }\n"),
				"spare: {} declares a service");
		try {
			await().atMost(APPLY_DEADLINE)
				.until(() -> Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString(), declared::equals);
			Response spare = Http.get(stack.gatewayUrl("/spare/x"));
			assertThat(spare.status()).isEqualTo(503);
			assertThat(spare.body()).contains("\"error\":\"no_healthy_endpoint\"").contains("service 'spare'");
		}
		finally {
			String fixed = stack.repo.commit("application.yml", good, "undo the spare service");
			await().atMost(APPLY_DEADLINE)
				.until(() -> Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString(), fixed::equals);
		}
	}

	@Test
	@Order(7)
	void theGatewayKeepsServingWithoutTheControlPlaneAndRestartsFromLastKnownGood() {
		String applied = Http.json(stack.managementUrl("/actuator/mesh")).path("version").asString();
		stack.controlPlane().stop();

		await().atMost(Duration.ofSeconds(5))
			.until(() -> !Http.json(stack.managementUrl("/actuator/mesh")).path("controlPlane").path("connected")
				.asBoolean());
		assertThat(Http.get(stack.gatewayUrl("/shop/orders/5")).status()).isEqualTo(200);
		assertThat(Http.json(stack.managementUrl("/actuator/health")).path("status").asString()).isEqualTo("UP");

		stack.gateway().stop();
		stack.startGateway(true);

		assertThat(Http.get(stack.gatewayUrl("/shop/orders/5")).status()).isEqualTo(200);
		assertThat(Http.get(stack.gatewayUrl("/demo/inventory-health")).status()).isEqualTo(200);
		JsonNode mesh = Http.json(stack.managementUrl("/actuator/mesh"));
		assertThat(mesh.path("version").asString()).isEqualTo(applied);
		assertThat(mesh.path("origin").asString()).isEqualTo("last-known-good");
		assertThat(mesh.path("controlPlane").path("connected").asBoolean()).isFalse();
		JsonNode health = Http.json(stack.managementUrl("/actuator/health")).path("components").path("meshConfig");
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("details").path("origin").asString()).isEqualTo("last-known-good");
		assertThat(stack.gateway().log()).contains("Serving last-known-good config " + applied.substring(0, 10));

		// and when the control plane is back, the gateway reconnects and takes the current commit again; one status
		// call may be slow while it does (a CI run once saw a 5 s client timeout here), the outcome may not
		stack.startControlPlane(true);
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.until(() -> Http.json(stack.managementUrl("/actuator/mesh")).path("origin").asString(),
					"control-plane"::equals);
	}

	/** Each error as "file: key: message" (the line, when one is given, is left out: see the YAML tree test). */
	private static List<String> errorsOf(JsonNode node) {
		List<String> errors = new ArrayList<>();
		for (JsonNode error : node.path("errors")) {
			errors.add(error.isString() ? error.asString().replaceFirst("^([^:]+):\\d+: ", "$1: ")
					: error.path("file").asString() + ": " + error.path("key").asString()
							+ (error.path("key").asString().isEmpty() ? "" : ": ") + error.path("message").asString());
		}
		return errors;
	}
}
