package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.JavaProcess;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.Project;
import io.meshgate.e2e.support.PrometheusScrape;
import io.meshgate.e2e.support.SteadyLoad;
import reactor.core.publisher.Mono;

/**
 * Chaos with real processes: the demo's inventory runs twice, behind node-a and behind node-b, and is called under
 * steady load through the gateway and through node-a's outbound listener while one instance is killed, brought back,
 * or slowed down. The control plane is stopped first: what absorbs the failures is each proxy's own retries and outlier
 * detection, from the config it already has.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResilienceEndToEndTest {

	private static final int RPS = 200;

	@TempDir
	static Path work;

	static MeshStack mesh;

	@BeforeAll
	static void start() {
		mesh = new MeshStack(work, "", Map.of());
		mesh.repo.edit("application.yml", yaml -> yaml.replace("""
				    inventory:
				      timeout: 1s
				""", """
				    inventory:
				      timeout: 1s
				      retries: { attempts: 2, retry-on: [ connect-failure, reset, gateway-error ] }
				      outlier-detection: { consecutive-failures: 3, base-ejection-time: 2s }
				"""), "inventory: retries and outlier detection");
		mesh.startAll();
		await().atMost(Duration.ofSeconds(20)).until(() -> servedBoth(gatewayStock()) && servedBoth(outboundStock()));
		mesh.controlPlane().stop();
	}

	@AfterAll
	static void stop() {
		if (mesh != null) {
			mesh.close();
		}
	}

	private static SteadyLoad gatewayStock() {
		return new SteadyLoad(mesh.gatewayUrl("/api/stock/sku-"), null);
	}

	private static SteadyLoad outboundStock() {
		return new SteadyLoad("http://127.0.0.1:" + mesh.a.outbound + "/stock/sku-", "inventory");
	}

	/** Whether a short burst through {@code load} reached both instances. */
	private static boolean servedBoth(SteadyLoad load) {
		load.run(50, Duration.ofSeconds(1)).block(Duration.ofSeconds(20));
		return load.servedBy.containsKey(instanceA()) && load.servedBy.containsKey(instanceB());
	}

	private static String instanceA() {
		return "inventory@" + mesh.inventory1;
	}

	private static String instanceB() {
		return "inventory@" + mesh.inventory2;
	}

	private static double ejections(String metricsUrl) {
		return PrometheusScrape.of(metricsUrl)
			.sum("meshgate_endpoint_ejections_total", Map.of("destination", "inventory"));
	}

	@Test
	@Order(1)
	void killingOneOfTwoInstancesUnderLoadFailsNoRequestAtTheEdgeOrBetweenServices() {
		double gatewayEjections = ejections(mesh.managementUrl("/actuator/prometheus"));
		double agentEjections = ejections(mesh.a.adminUrl("/actuator/prometheus"));
		SteadyLoad edge = gatewayStock();
		SteadyLoad eastWest = outboundStock();
		var loads = Mono.zip(edge.run(RPS, Duration.ofSeconds(20)), eastWest.run(RPS, Duration.ofSeconds(20)))
			.toFuture();

		await().atMost(Duration.ofSeconds(10)).until(() -> edge.succeeded.sum() > RPS * 5);
		mesh.demoB.kill();
		loads.join();

		assertThat(edge.failed()).as("edge: " + edge).isZero();
		assertThat(eastWest.failed()).as("east-west: " + eastWest).isZero();
		assertThat(edge.succeeded.sum()).isEqualTo(RPS * 20);
		assertThat(eastWest.succeeded.sum()).isEqualTo(RPS * 20);
		assertThat(edge.servedBy).containsKeys(instanceA(), instanceB());
		assertThat(ejections(mesh.managementUrl("/actuator/prometheus"))).isGreaterThan(gatewayEjections);
		assertThat(ejections(mesh.a.adminUrl("/actuator/prometheus"))).isGreaterThan(agentEjections);
	}

	@Test
	@Order(2)
	void aFlappingInstanceComesBackAfterItsEjectionAndGoingDownAgainFailsNothing() {
		mesh.demoB.start();
		// ejected while it was down (for longer each time it failed again); back in balancing once its ejection ran
		// out and it answers again
		await().atMost(Duration.ofSeconds(60)).until(() -> servedBoth(gatewayStock()) && servedBoth(outboundStock()));

		mesh.demoB.kill();
		SteadyLoad edge = gatewayStock();
		SteadyLoad eastWest = outboundStock();
		Mono.zip(edge.run(100, Duration.ofSeconds(5)), eastWest.run(100, Duration.ofSeconds(5)))
			.block(Duration.ofSeconds(60));
		assertThat(edge.failed()).as(edge.toString()).isZero();
		assertThat(eastWest.failed()).as(eastWest.toString()).isZero();
		assertThat(edge.servedBy).containsOnlyKeys(instanceA());

		mesh.demoB.start();
		await().atMost(Duration.ofSeconds(60)).until(() -> servedBoth(gatewayStock()));
	}

	@Test
	@Order(3)
	void aSlowInstanceGetsUnderTenPercentOfTheTraffic() {
		mesh.demoB.stop();
		JavaProcess slow = new JavaProcess("demo-node-b-slow", Project.jar("examples", ""), work, Map.of(),
				"--latency-ms=500", "inventory:" + mesh.inventory2, "inventory:" + mesh.inventoryV2)
			.start();
		try {
			slow.awaitHealthy("http://127.0.0.1:" + mesh.inventory2 + "/health", Duration.ofSeconds(30));
			for (SteadyLoad load : List.of(gatewayStock(), outboundStock())) {
				load.run(100, Duration.ofSeconds(10)).block(Duration.ofSeconds(60));
				assertThat(load.failed()).as(load.toString()).isZero();
				assertThat(load.shareOf(instanceB())).as(load.toString()).isLessThan(0.10);
			}
		}
		finally {
			slow.stop();
		}
		assertThat(Http.get(mesh.gatewayUrl("/api/stock/after")).status()).as("still serving").isEqualTo(200);
	}
}
