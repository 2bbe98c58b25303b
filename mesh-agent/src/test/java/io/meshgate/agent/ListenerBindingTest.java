package io.meshgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.routing.MatchStep;
import io.meshgate.proxy.routing.RoutingState;

/** Whoever reaches a node reaches its inbound listener, never its outbound one: no open proxy into the mesh. */
class ListenerBindingTest {

	@Test
	void theOutboundListenerStaysOnLoopbackWhenInboundListensOnTheNodesAddress() throws IOException {
		InetAddress nodeAddress = nonLoopbackAddress();
		// a machine with loopback only cannot tell the two apart: nothing to prove there
		Assumptions.assumeTrue(nodeAddress != null, "this machine has no non-loopback IPv4 address");
		AgentProperties agent = AgentSettings
			.load("--meshgate.agent.bind=0.0.0.0", "--meshgate.agent.inbound-port=0",
					"--meshgate.agent.outbound-port=0")
			.agent();
		GoldenMetrics metrics = GoldenMetrics.none();
		ProxyListeners listeners = new ProxyListeners(agent, new RoutingState(Direction.OUTBOUND, metrics, "unknown",
				config -> MatchStep.compile(config, metrics, Direction.OUTBOUND, "unknown")), metrics, null,
				new io.meshgate.agent.inbound.InboundModes(), () -> io.meshgate.proxy.authz.Policies.ALLOW_ALL);
		listeners.start();
		try {
			try (Socket inbound = new Socket()) {
				inbound.connect(new InetSocketAddress(nodeAddress, listeners.inboundPort()), 2000);
				assertThat(inbound.isConnected()).isTrue();
			}
			assertThatThrownBy(() -> {
				try (Socket outbound = new Socket()) {
					outbound.connect(new InetSocketAddress(nodeAddress, listeners.outboundPort()), 2000);
				}
			}).isInstanceOf(ConnectException.class);
			try (Socket local = new Socket()) {
				local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listeners.outboundPort()), 2000);
				assertThat(local.isConnected()).as("the node's own apps still reach it").isTrue();
			}
		}
		finally {
			listeners.stop();
		}
	}

	private static InetAddress nonLoopbackAddress() throws SocketException {
		for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
			if (!network.isUp() || network.isLoopback()) {
				continue;
			}
			for (InetAddress address : Collections.list(network.getInetAddresses())) {
				if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
					return address;
				}
			}
		}
		return null;
	}
}
