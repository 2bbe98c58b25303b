package io.meshgate.client.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.meshgate.client.registry.FakeRegistry.Request;
import io.meshgate.model.protocol.Registration;
import tools.jackson.databind.json.JsonMapper;

@ExtendWith(OutputCaptureExtension.class)
class RegistryClientTest {

	private static final Duration DEADLINE = Duration.ofSeconds(5);

	private static final URI INBOUND = URI.create("http://127.0.0.1:16006");

	private final JsonMapper json = JsonMapper.builder().build();

	private FakeRegistry controlPlane;

	private RegistryClient client;

	@BeforeEach
	void startControlPlane() throws IOException {
		controlPlane = new FakeRegistry();
	}

	@AfterEach
	void stop() {
		if (client != null) {
			client.close();
		}
		controlPlane.close();
	}

	private RegistryClient client(URI controlPlane) {
		client = new RegistryClient(controlPlane, java.net.http.HttpClient.newHttpClient(), Duration.ofSeconds(1),
				"node-b", INBOUND, Duration.ofSeconds(1));
		return client;
	}

	private Registration body(Request request) {
		return json.readValue(request.body(), Registration.class);
	}

	@Test
	void registersAtOnceThenHeartbeatsEveryThirdOfTheTtl() {
		client(controlPlane.uri());

		assertThat(client.register(List.of("inventory"))).isTrue();

		assertThat(client.registered()).isTrue();
		assertThat(client.lastError()).isNull();
		Request first = controlPlane.last();
		assertThat(first.method()).isEqualTo("PUT");
		assertThat(first.path()).isEqualTo("/mesh/v1/registry/nodes/node-b");
		assertThat(body(first)).isEqualTo(new Registration("node-b", INBOUND, List.of("inventory"), 1));

		client.start();
		await().atMost(DEADLINE).until(() -> controlPlane.puts().size() >= 5);

		List<Request> puts = controlPlane.puts();
		assertThat(puts).allSatisfy(put -> assertThat(body(put)).isEqualTo(body(first)));
		// heartbeats run at a fixed rate: one late run is followed by an early one, so the mean is what holds
		long heartbeatsNanos = puts.get(puts.size() - 1).nanoTime() - puts.get(1).nanoTime();
		assertThat(Duration.ofNanos(heartbeatsNanos).toMillis() / (puts.size() - 2)).isBetween(250L, 500L);
	}

	@Test
	void aNewListReplacesTheOldOneInEveryLaterHeartbeat() {
		client(controlPlane.uri()).register(List.of("inventory", "orders"));
		client.start();

		client.register(List.of("orders"));
		int replacedAt = controlPlane.puts().size();
		await().atMost(DEADLINE).until(() -> controlPlane.puts().size() >= replacedAt + 2);

		assertThat(controlPlane.puts().subList(replacedAt - 1, controlPlane.puts().size()))
			.allSatisfy(put -> assertThat(body(put).services()).containsExactly("orders"));
	}

	@Test
	void closeLeavesTheRegistryAndStopsHeartbeats() {
		client(controlPlane.uri()).register(List.of("inventory"));
		client.start();
		await().atMost(DEADLINE).until(() -> controlPlane.puts().size() >= 2);

		client.close();

		Request last = controlPlane.last();
		assertThat(last.method()).isEqualTo("DELETE");
		assertThat(last.path()).isEqualTo("/mesh/v1/registry/nodes/node-b");
		assertThat(client.registered()).isFalse();
		int requests = controlPlane.requests.size();
		await().during(Duration.ofMillis(800)).atMost(DEADLINE).until(() -> controlPlane.requests.size() == requests);
		assertThatIllegalStateException().isThrownBy(() -> client.register(List.of("inventory")));
		client.close(); // twice is harmless
		assertThat(controlPlane.requests).hasSize(requests);
	}

	@Test
	void keepsRetryingWhileTheControlPlaneFailsAndLogsTheFailureOnce(CapturedOutput output) {
		controlPlane.answer(500);
		client(controlPlane.uri());

		assertThat(client.register(List.of("inventory"))).isFalse();
		client.start();
		await().atMost(DEADLINE).until(() -> controlPlane.puts().size() >= 4);

		assertThat(client.registered()).isFalse();
		assertThat(client.lastError())
			.isEqualTo("PUT " + controlPlane.uri() + "/mesh/v1/registry/nodes/node-b answered 500");
		assertThat(output.toString().split("cannot register with the control plane", -1)).hasSize(2);

		controlPlane.answer(200);
		await().atMost(DEADLINE).until(client::registered);
		assertThat(client.lastError()).isNull();
		assertThat(output).contains("Node node-b registered with the control plane: inventory at " + INBOUND);
	}

	@Test
	void aRefusalCarriesTheControlPlanesReason() {
		controlPlane.answer(400);

		assertThat(client(controlPlane.uri()).register(List.of("inventory"))).isFalse();

		assertThat(client.lastError()).endsWith("answered 400: ttlSeconds: bad");
	}

	@Test
	void anUnreachableControlPlaneIsAnErrorNotAnException() throws IOException {
		URI nothingListening;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			nothingListening = URI.create("http://127.0.0.1:" + socket.getLocalPort());
		}
		client(nothingListening);

		assertThat(client.register(List.of("inventory"))).isFalse();
		client.start();
		assertThat(client.lastError())
			.startsWith("PUT " + nothingListening + "/mesh/v1/registry/nodes/node-b failed: ");

		client.close(); // the DELETE fails too, quietly
		assertThat(client.registered()).isFalse();
	}

	@Test
	void theTtlMustBeOneToThreeHundredSeconds() {
		java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
		assertThatIllegalArgumentException().isThrownBy(() -> new RegistryClient(controlPlane.uri(), http,
				Duration.ofSeconds(1), "node-b", INBOUND, Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> new RegistryClient(controlPlane.uri(), http,
				Duration.ofSeconds(1), "node-b", INBOUND, Duration.ofSeconds(301)));
	}
}
