package io.meshgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.meshgate.proxy.transport.limits.ListenerLimits;
import io.meshgate.proxy.transport.limits.UpstreamLimits;

class AgentSettingsTest {

	@Test
	void defaultsFromTheJarArgumentsOnTop() {
		AgentSettings settings = AgentSettings.load("--meshgate.agent.node=node-b",
				"--meshgate.agent.workloads.inventory-v2=http://127.0.0.1:8184", "--meshgate.agent.outbound-port=16001",
				"--meshgate.control-plane.uri=http://cp:8888");

		AgentProperties agent = settings.agent();
		assertThat(agent.node()).isEqualTo("node-b");
		assertThat(agent.adminPort()).isEqualTo(15000);
		assertThat(agent.outboundPort()).isEqualTo(16001);
		assertThat(agent.inboundPort()).isEqualTo(15006);
		assertThat(agent.workloads()).containsEntry("inventory-v2", URI.create("http://127.0.0.1:8184"));
		assertThat(agent.inboundAddress()).isEqualTo(URI.create("http://127.0.0.1:15006"));
		assertThat(agent.maxHeaderSize().toKilobytes()).isEqualTo(16);
		// only the node's own apps reach the outbound listener and the admin port unless told otherwise
		assertThat(agent.outboundBind()).isEqualTo("127.0.0.1");
		assertThat(agent.adminBind()).isEqualTo("127.0.0.1");
		assertThat(settings.controlPlane().controlPlane().uri()).isEqualTo(URI.create("http://cp:8888"));
		assertThat(settings.controlPlane().profiles()).isEqualTo("default");
		assertThat(agent.listenerLimits()).isEqualTo(ListenerLimits.DEFAULTS);
		assertThat(agent.upstreamLimits()).isEqualTo(UpstreamLimits.DEFAULTS);
	}

	@Test
	void aJoinTokenIsReadAndNeverPrinted() {
		String secret = "s".repeat(43);
		AgentSettings settings = AgentSettings.load("--meshgate.agent.join-token=mg1.abcdefgh." + secret + "." + "a".repeat(64));
		assertThat(settings.joinToken().fingerprint()).isEqualTo("sha256:" + "a".repeat(64));
		assertThat(settings.toString()).doesNotContain(secret);
		assertThat(AgentSettings.load().joinToken()).isNull();
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.join-token=abc"))
			.hasMessageStartingWith("bad setting meshgate.agent.join-token: the join token is malformed");
	}

	@Test
	void aJoinTokenCanComeFromAFileAsContainersMountSecrets(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
			throws Exception {
		java.nio.file.Path file = dir.resolve("node-a.token");
		java.nio.file.Files.writeString(file, "mg1.abcdefgh." + "s".repeat(43) + "." + "b".repeat(64) + "\n");
		assertThat(AgentSettings.load("--meshgate.agent.join-token-file=" + file).joinToken().fingerprint())
			.isEqualTo("sha256:" + "b".repeat(64));
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.join-token-file=" + dir.resolve("missing")))
			.hasMessageStartingWith("bad setting meshgate.agent.join-token-file: cannot read " + dir.resolve("missing"));
	}

	@Test
	void theOutboundServiceIsOneOfTheNodesWorkloads() {
		AgentProperties agent = AgentSettings.load("--meshgate.agent.workloads.orders=http://127.0.0.1:8181",
				"--meshgate.agent.workloads.inventory=http://127.0.0.1:8182", "--meshgate.agent.outbound-service=orders")
			.agent();
		assertThat(agent.outboundSource()).isEqualTo("orders");
		assertThat(AgentSettings.load("--meshgate.agent.workloads.orders=http://127.0.0.1:8181",
				"--meshgate.agent.workloads.inventory=http://127.0.0.1:8182").agent().outboundSource())
			.as("several workloads and none named: the node calls as itself").isEqualTo("unknown");
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.workloads.orders=http://127.0.0.1:8181",
				"--meshgate.agent.outbound-service=payments"))
			.hasMessageContaining("meshgate.agent.outbound-service: 'payments' is not one of this node's workloads [orders]");
	}

	@Test
	void eachFurtherWorkloadMayHaveAnOutboundPortOfItsOwn() {
		String orders = "--meshgate.agent.workloads.orders=http://127.0.0.1:8181";
		String inventory = "--meshgate.agent.workloads.inventory=http://127.0.0.1:8182";
		AgentProperties agent = AgentSettings.load(orders, inventory, "--meshgate.agent.outbound-service=orders",
				"--meshgate.agent.outbound-ports.inventory=15011").agent();
		assertThat(agent.outboundPorts()).isEqualTo(java.util.Map.of("inventory", 15011));
		assertThat(agent.outboundSource()).isEqualTo("orders");
		assertThat(AgentSettings.load("--meshgate.agent.workloads.orders=http://127.0.0.1:8181",
				"--meshgate.agent.outbound-ports.orders=15011").agent().outboundSource())
			.as("the only workload has its own port: the outbound port is the node's").isEqualTo("unknown");

		assertThatThrownBy(() -> AgentSettings.load(orders, "--meshgate.agent.outbound-ports.payments=15011"))
			.hasMessageContaining("meshgate.agent.outbound-ports.payments: 'payments' is not one of this node's "
					+ "workloads [orders]");
		assertThatThrownBy(() -> AgentSettings.load(orders, inventory, "--meshgate.agent.outbound-service=orders",
				"--meshgate.agent.outbound-ports.orders=15011"))
			.hasMessageContaining("meshgate.agent.outbound-ports.orders: 'orders' already calls out through "
					+ "outbound-port (outbound-service): one port per workload");
		assertThatThrownBy(() -> AgentSettings.load(orders, inventory, "--meshgate.agent.outbound-ports.inventory=15006"))
			.hasMessageContaining("meshgate.agent.outbound-ports.inventory: port 15006 is taken by another listener");
	}

	@Test
	void listenerAndUpstreamLimitsAreSettings() {
		AgentProperties agent = AgentSettings.load("--meshgate.agent.header-timeout=2s",
				"--meshgate.agent.idle-timeout=30s", "--meshgate.agent.max-connections=500",
				"--meshgate.agent.max-connections-per-endpoint=8", "--meshgate.agent.max-pending-per-endpoint=16")
			.agent();
		assertThat(agent.listenerLimits())
			.isEqualTo(new ListenerLimits(Duration.ofSeconds(2), Duration.ofSeconds(30), 500));
		assertThat(agent.upstreamLimits()).isEqualTo(new UpstreamLimits(8, 16));
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.max-connections=0"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("meshgate.agent.max-connections must be at least 1, not 0");
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.header-timeout=0s"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("meshgate.agent.header-timeout must be positive");
	}

	@Test
	void aBadValueNamesTheSetting() {
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.registration-ttl=soon"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("bad setting meshgate.agent.registration-ttl = 'soon'");
		assertThatThrownBy(() -> AgentSettings.load("--meshgate.agent.encoded-slashes=sometimes"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("bad setting meshgate.agent.encoded-slashes = 'sometimes'");
	}
}
