package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.e2e.support.ConnectionFlood;
import io.meshgate.e2e.support.Http;
import io.meshgate.e2e.support.MeshStack;
import io.meshgate.e2e.support.PrometheusScrape;
import io.meshgate.e2e.support.RawHttp;

/**
 * Every listener's header deadline, idle timeout and connection counting, on both planes (gateway; agent inbound,
 * outbound and admin), and a flood of idle and slowloris connections against the gateway and an agent with a 64 MB
 * heap while an ordinary client is served. Real processes on loopback, short deadlines so the test is short.
 */
class ListenerLimitsEndToEndTest {

	private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(3);

	private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(8);

	/** Above the flood test's 2,200 attackers per listener, low enough to reach. */
	private static final int MAX_CONNECTIONS = 2600;

	@TempDir
	static Path work;

	static MeshStack mesh;

	@BeforeAll
	static void start() {
		mesh = new MeshStack(work, """
				    spare:
				      timeout: 2s
				""", Map.of())
			.proxyEnvironment(Map.of("MESHGATE_GATEWAY_HEADER_TIMEOUT", HEADER_TIMEOUT.toSeconds() + "s",
					"MESHGATE_AGENT_HEADER_TIMEOUT", HEADER_TIMEOUT.toSeconds() + "s", "MESHGATE_GATEWAY_IDLE_TIMEOUT",
					IDLE_TIMEOUT.toSeconds() + "s", "MESHGATE_AGENT_IDLE_TIMEOUT", IDLE_TIMEOUT.toSeconds() + "s",
					"MESHGATE_GATEWAY_MAX_CONNECTIONS", String.valueOf(MAX_CONNECTIONS), "MESHGATE_AGENT_MAX_CONNECTIONS",
					String.valueOf(MAX_CONNECTIONS)))
			.startAll();
		await().atMost(Duration.ofSeconds(20)).until(() -> Http.get(mesh.gatewayUrl("/api/orders/1")).status() == 200);
	}

	@AfterAll
	static void stop() {
		if (mesh != null) {
			mesh.close();
		}
	}

	/** Each listener by name in metrics, with its port and where its metrics are read. */
	private static Map<String, Integer> listeners() {
		Map<String, Integer> listeners = new LinkedHashMap<>();
		listeners.put("gateway", mesh.gatewayPort);
		listeners.put("management", mesh.managementPort);
		listeners.put("inbound", mesh.a.inbound);
		listeners.put("outbound", mesh.a.outbound);
		listeners.put("admin", mesh.a.admin);
		return listeners;
	}

	private static String metricsOf(String listener) {
		return listener.equals("gateway") || listener.equals("management") ? mesh.managementUrl("/actuator/prometheus")
				: mesh.a.adminUrl("/actuator/prometheus");
	}

	@Test
	void aRequestHeadSentTooSlowlyIsAnswered408AndClosedOnEveryListener() throws Exception {
		Map<String, PrometheusScrape> before = new LinkedHashMap<>();
		listeners().keySet().forEach(listener -> before.put(listener, PrometheusScrape.of(metricsOf(listener))));
		Map<String, CompletableFuture<RawHttp.Answer>> answers = new LinkedHashMap<>();
		long start = System.nanoTime();
		listeners().forEach((listener, port) -> answers.put(listener, CompletableFuture.supplyAsync(
				() -> RawHttp.send(port, "GET /actuator/health HTTP/1.1\r\nHost: x\r\nX-Unfinished: 1"),
				task -> new Thread(task, "slow-" + listener).start())));
		for (var answer : answers.entrySet()) {
			RawHttp.Answer got;
			try {
				got = answer.getValue().get(20, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.ExecutionException ex) {
				throw new AssertionError(answer.getKey() + " did not answer and close", ex);
			}
			assertThat(got.status()).as(answer.getKey() + ": " + got.text()).isEqualTo(408);
			assertThat(got.text()).as(answer.getKey())
				.contains("\"error\":\"request_timeout\"")
				.contains("connection: close")
				.doesNotContain("127.0.0.1");
		}
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
			.isGreaterThanOrEqualTo(HEADER_TIMEOUT.toMillis() - 200);
		assertQuietLogs();
		for (String listener : listeners().keySet()) {
			Map<String, String> labels = Map.of("listener", listener, "kind", "header");
			assertThat(PrometheusScrape.of(metricsOf(listener)).sum("meshgate_listener_timeouts_total", labels)
					- before.get(listener).sum("meshgate_listener_timeouts_total", labels))
				.as(listener)
				.isEqualTo(1);
		}
		assertServing();
	}

	@Test
	void aConnectionWithNoRequestIsClosedOnceIdleOnEveryListener() throws Exception {
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int port : listeners().values()) {
				Socket socket = new Socket();
				socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
				socket.setSoTimeout((int) IDLE_TIMEOUT.multipliedBy(3).toMillis());
				sockets.add(socket);
			}
			long start = System.nanoTime();
			for (Socket socket : sockets) {
				assertThat(socket.getInputStream().read()).as("closed by the listener on " + socket.getPort())
					.isEqualTo(-1);
			}
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
				.isGreaterThanOrEqualTo(IDLE_TIMEOUT.toMillis() - 1000);
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
		assertServing();
	}

	/**
	 * 2,000 idle and 200 slowloris connections against the gateway and against node-a's inbound listener at once
	 * (each one the listener closes is opened again): an ordinary client through both is served as usual, and the
	 * agent, with its 64 MB heap, stays up.
	 */
	@Test
	void aFloodOfIdleAndSlowHeaderConnectionsDoesNotStopAnOrdinaryClient() throws Exception {
		long usual = medianMillis(100);
		try (ConnectionFlood flood = new ConnectionFlood()) {
			flood.idle(mesh.gatewayPort, 2000)
				.slowHeaders(mesh.gatewayPort, 200)
				.idle(mesh.a.inbound, 2000)
				.slowHeaders(mesh.a.inbound, 200);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> flood.open() >= 4400 && gauge("gateway") >= 2200 && gauge("inbound") >= 2200);
			long underFlood = medianMillis(100);
		System.out.printf("[measured] median of 100 calls through the gateway and node-a: %d ms usual, %d ms under the flood%n",
				usual, underFlood);
			assertThat(underFlood).as("median ms: usual %d, under the flood %d", usual, underFlood)
				.isLessThanOrEqualTo(Math.max(3 * usual, usual + 20));
			// the slowloris connections are cut at the header deadline, and come back, as an attacker's would
			await().atMost(HEADER_TIMEOUT.multipliedBy(4)).until(() -> flood.closedByPeer() >= 400);
			assertThat(medianMillis(50)).isLessThanOrEqualTo(Math.max(3 * usual, usual + 20));
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> gauge("gateway") < 50 && gauge("inbound") < 50);
		assertThat(mesh.agentA.isAlive()).isTrue();
		assertThat(mesh.agentA.log()).doesNotContain("OutOfMemoryError");
		assertQuietLogs();
		assertThat(Http.get(mesh.a.adminUrl("/actuator/health")).status()).isEqualTo(200);
		assertServing();
	}

	@Test
	void connectionsBeyondTheCapAreRefusedAndCountedAndTheListenerServesOnceTheyLeave() {
		Map<String, String> gateway = Map.of("listener", "gateway");
		Map<String, String> inbound = Map.of("listener", "inbound");
		double gatewayBefore = refused(gateway);
		double inboundBefore = refused(inbound);
		try (ConnectionFlood flood = new ConnectionFlood()) {
			flood.idle(mesh.gatewayPort, MAX_CONNECTIONS + 100).idle(mesh.a.inbound, MAX_CONNECTIONS + 100);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> refused(gateway) - gatewayBefore >= 100 && refused(inbound) - inboundBefore >= 100);
			assertThat(gauge("gateway")).isLessThanOrEqualTo(MAX_CONNECTIONS);
			assertThat(gauge("inbound")).isLessThanOrEqualTo(MAX_CONNECTIONS);
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> gauge("gateway") < 50 && gauge("inbound") < 50);
		assertThat(mesh.agentA.isAlive()).isTrue();
		assertQuietLogs();
		assertServing();
	}

	private static double refused(Map<String, String> labels) {
		String url = labels.get("listener").equals("gateway") ? mesh.managementUrl("/actuator/prometheus")
				: mesh.a.adminUrl("/actuator/prometheus");
		return PrometheusScrape.of(url).sum("meshgate_listener_connections_refused_total", labels);
	}

	/** Refusing and timing out attackers is routine: no stack traces, no error lines, no line per connection. */
	private static void assertQuietLogs() {
		for (var process : List.of(mesh.agentA, mesh.gateway())) {
			assertThat(process.log().lines())
				.noneMatch(line -> line.startsWith("\tat ") || line.contains(" ERROR ") || line.contains("Decoding failed"));
		}
	}

	/** The median latency of {@code count} calls through the gateway and both of node-a's listeners, all 200. */
	private static long medianMillis(int count) {
		long[] took = new long[count];
		for (int i = 0; i < count; i++) {
			long start = System.nanoTime();
			Http.Response response = Http.get(mesh.gatewayUrl("/api/orders/" + i));
			took[i] = System.nanoTime() - start;
			assertThat(response.status()).as(response.body()).isEqualTo(200);
		}
		Arrays.sort(took);
		return TimeUnit.NANOSECONDS.toMillis(took[count / 2]);
	}

	private static double gauge(String listener) {
		return PrometheusScrape.of(metricsOf(listener)).sum("meshgate_listener_connections", Map.of("listener", listener));
	}

	private static void assertServing() {
		Http.Response response = Http.get(mesh.gatewayUrl("/api/orders/1"));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
	}

}
