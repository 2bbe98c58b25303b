package io.meshgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

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
