package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.e2e.support.FreePorts;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.JavaProcess;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.PrometheusScrape;
import io.meshgate.e2e.support.RedisServer;
import io.meshgate.e2e.support.SteadyLoad;

/**
 * Global rate limits with a real Redis and two gateways: the buckets are shared (a client's requests count at both),
 * Redis stopped under load (the control plane stopped too) leaves the edge serving (fail open) and says so in its
 * metrics and log, Redis back means limits again, and a commit can make the limit fail closed instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitEndToEndTest {

	@TempDir
	static Path work;

	static RedisServer redis;

	static MeshStack mesh;

	static JavaProcess second;

	static final int SECOND_PORT = FreePorts.next();

	static final int SECOND_MANAGEMENT = FreePorts.next();

	@BeforeAll
	static void start() {
		redis = new RedisServer(work).start();
		mesh = new MeshStack(work, "", Map.of());
		mesh.repo.edit("application.yml", yaml -> yaml.replace("  routes:\n", """
				  rate-limiting: { redis: "%s", timeout: 200ms }
				  routes:
				    - id: global-stock
				      ingress: { path: /limited/**, strip-prefix: 1 }
				      auth: none
				      to: inventory
				      rate-limit: { requests: 5, per: 1h, key: "header:x-client", scope: global }
				    - id: busy-stock
				      ingress: { path: /busy/**, strip-prefix: 1 }
				      auth: none
				      to: inventory
				      rate-limit: { requests: 100000, per: 1s, scope: global }
				""".formatted(redis.uri())), "global rate limits in Redis");
		mesh.startAll();
		second = mesh.startAnotherGateway("gateway-2", SECOND_PORT, SECOND_MANAGEMENT);
		second.awaitHealthy("http://127.0.0.1:" + SECOND_MANAGEMENT + "/actuator/health", Duration.ofSeconds(90));
		await().atMost(Duration.ofSeconds(20)).until(() -> status(mesh.gatewayPort, "warm-up") == 200
				&& status(SECOND_PORT, "warm-up") == 200);
	}

	@AfterAll
	static void stop() {
		if (second != null) {
			second.stop();
		}
		if (mesh != null) {
			mesh.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	private static int status(int port, String client) {
		return Http.get("http://127.0.0.1:" + port + "/limited/stock/sku-1", Map.of("x-client", client)).status();
	}

	private static double storeFailures(String action) {
		return PrometheusScrape.of(mesh.managementUrl("/actuator/prometheus"))
			.sum("meshgate_rate_limit_store_failures_total", Map.of("action", action));
	}

	@Test
	@Order(1)
	void theGatewaysShareEachClientsBucket() {
		int[] ports = { mesh.gatewayPort, SECOND_PORT };
		for (int i = 0; i < 5; i++) {
			assertThat(status(ports[i % 2], "ann")).as("request " + (i + 1)).isEqualTo(200);
		}
		Http.Response refused = Http.get("http://127.0.0.1:" + SECOND_PORT + "/limited/stock/sku-1",
				Map.of("x-client", "ann"));
		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.body()).contains("route 'global-stock' takes 5 requests per 1 h for each header:x-client");
		assertThat(status(mesh.gatewayPort, "ann")).isEqualTo(429);
		assertThat(status(mesh.gatewayPort, "bob")).as("another client, another bucket").isEqualTo(200);
		assertThat(redis.command("DBSIZE")).as("the buckets live in Redis").isNotEqualTo(":0");
	}

	@Test
	@Order(2)
	void redisStoppedUnderLoadLeavesTheEdgeServingAndSaysSo() {
		double allowedBefore = storeFailures("allowed");
		mesh.controlPlane().stop(); // no help from it either: each gateway works from the config it has
		SteadyLoad load = new SteadyLoad(mesh.gatewayUrl("/busy/stock/sku-"), null);
		var running = load.run(100, java.time.Duration.ofSeconds(8)).toFuture();
		await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded.sum() > 200);
		redis.kill();
		running.join();

		assertThat(load.failed()).as(load.toString()).isZero();
		assertThat(load.succeeded.sum()).isEqualTo(800);
		assertThat(storeFailures("allowed")).as("requests let through without their limit").isGreaterThan(allowedBefore);
		assertThat(mesh.gateway().log()).contains("rate limit store unavailable for route 'busy-stock'")
			.contains("requests are allowed meanwhile");
		mesh.startControlPlane();
		mesh.controlPlane()
			.awaitHealthy(mesh.controlPlaneApi.managementUrl("/actuator/health"), Duration.ofSeconds(90));
	}

	@Test
	@Order(3)
	void aCommitMakesTheLimitFailClosedWhileRedisIsDown() {
		mesh.repo.edit("application.yml",
				yaml -> yaml.replace("timeout: 200ms }", "timeout: 200ms, on-redis-failure: deny }"),
				"rate limits fail closed");
		// the gateway finds the restarted control plane again, then the commit
		await().atMost(Duration.ofSeconds(60)).until(() -> status(mesh.gatewayPort, "carol") == 503);
		Http.Response closed = Http.get(mesh.gatewayUrl("/limited/stock/sku-1"), Map.of("x-client", "carol"));
		assertThat(closed.body()).contains("\"error\":\"rate_limit_unavailable\"");
		assertThat(storeFailures("denied")).isPositive();
		assertThat(Http.get(mesh.gatewayUrl("/api/stock/sku-1")).status()).as("routes without a limit serve on")
			.isEqualTo(200);
	}

	@Test
	@Order(4)
	void redisBackMeansLimitsAgain() {
		redis.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> status(mesh.gatewayPort, "dave") == 200);
		for (int i = 1; i < 5; i++) {
			assertThat(status(i % 2 == 0 ? mesh.gatewayPort : SECOND_PORT, "dave")).isEqualTo(200);
		}
		assertThat(status(mesh.gatewayPort, "dave")).isEqualTo(429);
	}
}
