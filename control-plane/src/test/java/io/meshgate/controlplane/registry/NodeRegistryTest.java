package io.meshgate.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.meshgate.controlplane.MutableClock;
import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.model.protocol.Registration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

@ExtendWith(OutputCaptureExtension.class)
class NodeRegistryTest {

	private static final URI NODE_A = URI.create("http://127.0.0.1:15006");

	private static final URI NODE_B = URI.create("http://127.0.0.1:16006");

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final List<EndpointSet> published = new CopyOnWriteArrayList<>();

	private final NodeRegistry registry = new NodeRegistry(clock, meters, published::add);

	private static Registration registration(String node, URI address, int ttlSeconds, String... services) {
		return new Registration(node, address, List.of(services), ttlSeconds);
	}

	@Test
	void theRegistryTakesAtMostItsLimitOfNodesAndStillRenewsThem() {
		URI address = URI.create("http://127.0.0.1:16006");
		for (int i = 0; i < NodeRegistry.MAX_NODES; i++) {
			registry.register(registration("node-" + i, address, 30, "inventory"));
		}
		org.assertj.core.api.Assertions.assertThatThrownBy(
				() -> registry.register(registration("node-extra", address, 30, "inventory")))
			.hasMessageContaining("the registry holds 1000 nodes, its limit; node 'node-extra' is not added");
		registry.register(registration("node-7", address, 30, "inventory", "orders")); // a known node still renews
		org.assertj.core.api.Assertions.assertThat(registry.endpoints().of("orders")).hasSize(1);
	}

	@Test
	void registeringPublishesEndpointsByServiceSortedByNode(CapturedOutput output) {
		long start = registry.endpoints().revision();

		registry.register(registration("node-b", NODE_B, 3, "inventory", "orders"));
		EndpointSet set = registry.register(registration("node-a", NODE_A, 3, "orders"));

		assertThat(set.revision()).isEqualTo(start + 2);
		assertThat(set.services()).containsOnlyKeys("inventory", "orders");
		assertThat(set.of("orders")).containsExactly(new Endpoint("orders", "node-a", NODE_A),
				new Endpoint("orders", "node-b", NODE_B));
		assertThat(set.of("inventory")).containsExactly(new Endpoint("inventory", "node-b", NODE_B));
		assertThat(published).extracting(EndpointSet::revision).containsExactly(start + 1, start + 2);
		assertThat(published.get(1)).isEqualTo(set).isEqualTo(registry.endpoints());
		assertThat(meters.get("meshgate.controlplane.registry.endpoints").gauge().value()).isEqualTo(3);
		assertThat(output).contains("Node node-b registered: inventory, orders at http://127.0.0.1:16006");
	}

	@Test
	void aHeartbeatKeepsTheLeaseAndChangesNothing(CapturedOutput output) {
		registry.register(registration("node-b", NODE_B, 3, "inventory"));
		EndpointSet registered = registry.endpoints();

		for (int i = 0; i < 10; i++) {
			clock.advance(Duration.ofSeconds(2));
			EndpointSet answered = registry.register(registration("node-b", NODE_B, 3, "inventory"));
			registry.expireLeases();
			assertThat(answered).isEqualTo(registered);
		}

		assertThat(registry.endpoints()).isEqualTo(registered);
		assertThat(published).containsExactly(registered);
		assertThat(output.toString().split("Node node-b", -1)).hasSize(2); // registered, then silence
	}

	@Test
	void aNodeWithoutHeartbeatExpiresAfterItsTtl(CapturedOutput output) {
		registry.register(registration("node-a", NODE_A, 10, "orders"));
		registry.register(registration("node-b", NODE_B, 3, "inventory"));
		long revision = registry.endpoints().revision();

		clock.advance(Duration.ofSeconds(3));
		registry.expireLeases();
		assertThat(registry.endpoints().of("inventory")).hasSize(1); // exactly the TTL old: still leased

		clock.advance(Duration.ofMillis(250));
		registry.expireLeases();

		EndpointSet set = registry.endpoints();
		assertThat(set.services()).containsOnlyKeys("orders");
		assertThat(set.revision()).isEqualTo(revision + 1);
		assertThat(published).last().isEqualTo(set);
		assertThat(meters.get("meshgate.controlplane.registry.expired").counter().count()).isEqualTo(1);
		assertThat(meters.get("meshgate.controlplane.registry.endpoints").gauge().value()).isEqualTo(1);
		assertThat(output).contains("Node node-b expired (no heartbeat for 3 s): inventory left");

		registry.expireLeases();
		assertThat(registry.endpoints()).isEqualTo(set);
		assertThat(meters.get("meshgate.controlplane.registry.expired").counter().count()).isEqualTo(1);
	}

	@Test
	void aRegistrationReplacesTheNodesPreviousOne(CapturedOutput output) {
		registry.register(registration("node-b", NODE_B, 3, "inventory", "orders"));

		EndpointSet set = registry.register(registration("node-b", NODE_B, 3, "orders"));

		assertThat(set.services()).containsOnlyKeys("orders");
		assertThat(set.of("orders")).containsExactly(new Endpoint("orders", "node-b", NODE_B));
		assertThat(output).contains("Node node-b changed: orders at http://127.0.0.1:16006 "
				+ "(was inventory, orders at http://127.0.0.1:16006)");

		URI moved = URI.create("http://127.0.0.1:17006");
		set = registry.register(registration("node-b", moved, 3, "orders"));
		assertThat(set.of("orders")).containsExactly(new Endpoint("orders", "node-b", moved));
	}

	@Test
	void theRevisionIncreasesOnlyWhenTheEndpointsChange() {
		long start = registry.endpoints().revision();

		registry.register(registration("node-b", NODE_B, 3, "inventory"));
		registry.register(registration("node-b", NODE_B, 3, "inventory")); // heartbeat
		registry.register(registration("node-b", NODE_B, 30, "inventory", "inventory")); // longer lease, same set
		registry.deregister("node-x"); // unknown
		registry.register(registration("node-c", NODE_A, 3)); // a node without services adds no endpoint
		assertThat(registry.endpoints().revision()).isEqualTo(start + 1);

		registry.register(registration("node-b", NODE_B, 3, "inventory", "orders"));
		assertThat(registry.endpoints().revision()).isEqualTo(start + 2);

		registry.deregister("node-b");
		assertThat(registry.endpoints().revision()).isEqualTo(start + 3);
		assertThat(registry.endpoints().services()).isEmpty();
		assertThat(published).extracting(EndpointSet::revision).containsExactly(start + 1, start + 2, start + 3);
	}

	@Test
	void aRenewedLeaseUsesTheLatestTtl() {
		registry.register(registration("node-b", NODE_B, 3, "inventory"));
		registry.register(registration("node-b", NODE_B, 30, "inventory"));

		clock.advance(Duration.ofSeconds(10));
		registry.expireLeases();

		assertThat(registry.endpoints().of("inventory")).hasSize(1);
	}

	@Test
	void revisionsStartAtTheStartTimeSoTheyKeepIncreasingAcrossRestarts() {
		registry.register(registration("node-b", NODE_B, 3, "inventory"));
		clock.advance(Duration.ofSeconds(1));

		NodeRegistry restarted = new NodeRegistry(clock, new SimpleMeterRegistry(), set -> {
		});

		assertThat(restarted.endpoints().revision()).isGreaterThan(registry.endpoints().revision());
	}
}
