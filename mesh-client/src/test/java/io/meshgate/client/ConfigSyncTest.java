package io.meshgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.client.controlplane.ControlPlaneClient;
import io.meshgate.client.store.LastKnownGoodStore;
import io.meshgate.model.ConfigError;
import io.meshgate.model.protocol.CommitStatus;

class ConfigSyncTest {

	private static final Map<String, Object> GOOD = Map.of("mesh.services.orders.timeout", "2s",
			"mesh.routes[0].id", "orders-api", "mesh.routes[0].ingress.path", "/api/orders/**", "mesh.routes[0].to",
			"orders");

	private static final Duration DEADLINE = Duration.ofSeconds(5);

	@TempDir
	Path data;

	private FakeControlPlane controlPlane;

	private final List<AppliedConfig> applied = new CopyOnWriteArrayList<>();

	private ConfigSync sync;

	@BeforeEach
	void startControlPlane() throws IOException {
		controlPlane = new FakeControlPlane();
	}

	@AfterEach
	void stop() {
		if (sync != null) {
			sync.close();
		}
		controlPlane.close();
	}

	private ConfigSync sync(URI uri, List<ConfigCheck> checks, Duration silenceLimit) {
		sync = new ConfigSync(new ControlPlaneClient(uri, java.net.http.HttpClient.newHttpClient(), Duration.ofSeconds(1)), "gateway", "default",
				new LastKnownGoodStore(data, "gateway"), checks, applied::add, silenceLimit, Clock.systemUTC());
		return sync;
	}

	private ConfigSync sync() {
		return sync(controlPlane.uri(), List.of(), Duration.ofSeconds(30));
	}

	private static CommitStatus status(String version, boolean valid, ConfigError... errors) {
		return new CommitStatus(version, "main", valid, List.of(errors), Instant.now());
	}

	@Test
	void appliesAValidVersionAndStoresItAsLastKnownGood() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();

		await().atMost(DEADLINE).until(() -> sync.state().applied() != null);
		AppliedConfig config = sync.state().applied();
		assertThat(config.version()).isEqualTo("c1");
		assertThat(config.origin()).isEqualTo(AppliedConfig.Origin.CONTROL_PLANE);
		assertThat(config.model().routes()).hasSize(1);
		assertThat(config.sources()).extracting(s -> s.name()).containsExactly("config-repo/application.yml");
		assertThat(sync.state().connected()).isTrue();
		await().atMost(DEADLINE).until(() -> Files.exists(data.resolve("gateway/last-known-good.json")));
	}

	@Test
	void rejectsAnInvalidVersionAndKeepsServingThePreviousOne() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();
		await().atMost(DEADLINE).until(() -> sync.state().applied() != null);

		controlPlane.serve("c2", Map.of("config-repo/application.yml",
				Map.of("mesh.routes[0].id", "a", "mesh.routes[0].ingress.path", "/a", "mesh.routes[0].to", "ordrs")));
		controlPlane.push(status("c2", true));

		await().atMost(DEADLINE).until(() -> sync.state().lastRejection() != null);
		Rejection rejection = sync.state().lastRejection();
		assertThat(rejection.version()).isEqualTo("c2");
		assertThat(rejection.errors()).extracting(ConfigError::toString)
			.containsExactly("config-repo/application.yml: mesh.routes[0].to: unknown service 'ordrs'; declare it "
					+ "under mesh.services ('ordrs: {}' without settings)");
		assertThat(sync.state().applied().version()).isEqualTo("c1");
		assertThat(applied).hasSize(1);
	}

	@Test
	void aCommitTheControlPlaneReportedInvalidIsNeverAppliedEvenIfItLooksValidHere() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();
		await().atMost(DEADLINE).until(() -> sync.state().applied() != null);

		// what the control plane saw on the YAML tree (a typo'd key with an empty map), the flat properties do not show
		Map<String, Object> looksGood = new java.util.HashMap<>(GOOD);
		looksGood.put("mesh.services.orders.timeout", "3s");
		controlPlane.serve("c2", Map.of("config-repo/application.yml", looksGood));
		ConfigError seen = new ConfigError("config-repo/application.yml", "mesh.servcies.x",
				"unknown key 'servcies' (did you mean 'services'?)", 7);
		controlPlane.push(status("c2", false, seen));

		await().atMost(DEADLINE).until(() -> sync.state().lastRejection() != null);
		assertThat(sync.state().lastRejection().version()).isEqualTo("c2");
		assertThat(sync.state().lastRejection().errors()).containsExactly(seen);
		assertThat(sync.state().applied().version()).isEqualTo("c1");
		assertThat(applied).hasSize(1);
	}

	@Test
	void aFetchOfAnotherCommitThanTheEventNamedWaitsForThatCommitsOwnVerdict() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();
		await().atMost(DEADLINE).until(() -> sync.state().applied() != null);

		// the config server already serves c3 while the event still names c2
		controlPlane.serve("c3", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c2", true));
		await().during(Duration.ofMillis(500)).atMost(DEADLINE).until(() -> "c1".equals(sync.state().applied().version()));
		controlPlane.push(status("c3", true));
		await().atMost(DEADLINE).until(() -> "c3".equals(sync.state().applied().version()));
		assertThat(sync.state().lastRejection()).isNull();
	}

	@Test
	void aProxysOwnCheckCanRejectAConfigTheModelAccepts() {
		controlPlane.serve("c1", Map.of("config-repo/gateway.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync(controlPlane.uri(), List.of((sources, model) -> List.of(new ConfigError(sources.get(0).name(), "x", "no"))),
				Duration.ofSeconds(30))
			.start();

		await().atMost(DEADLINE).until(() -> sync.state().lastRejection() != null);
		assertThat(sync.state().lastRejection().errors()).extracting(ConfigError::toString)
			.containsExactly("config-repo/gateway.yml: x: no");
		assertThat(sync.state().applied()).isNull();
	}

	@Test
	void aFailingApplierRejectsTheVersion() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync = new ConfigSync(new ControlPlaneClient(controlPlane.uri(), java.net.http.HttpClient.newHttpClient(), Duration.ofSeconds(1)), "gateway", "default",
				new LastKnownGoodStore(data, "gateway"), List.of(), config -> {
					throw new IllegalStateException("route table full");
				}, Duration.ofSeconds(30), Clock.systemUTC());
		sync.start();

		await().atMost(DEADLINE).until(() -> sync.state().lastRejection() != null);
		assertThat(sync.state().lastRejection().errors().get(0).message()).isEqualTo("apply failed: route table full");
		assertThat(Files.exists(data.resolve("gateway/last-known-good.json"))).isFalse();
	}

	@Test
	void anUnreadableCommitIsRejectedWithTheControlPlanesErrors() {
		controlPlane.failFetchesWith(500);
		ConfigError yaml = new ConfigError("config-repo/application.yml", "", "YAML syntax error at line 3, column 3");
		controlPlane.push(status("c9", false, yaml));
		sync().start();

		await().atMost(DEADLINE).until(() -> sync.state().lastRejection() != null);
		assertThat(sync.state().lastRejection().version()).isEqualTo("c9");
		assertThat(sync.state().lastRejection().errors()).containsExactly(yaml);
	}

	@Test
	void aFailedFetchOfAValidVersionIsRetried() {
		controlPlane.failFetchesWith(503);
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();
		await().atMost(DEADLINE).until(() -> controlPlane.fetches.get() >= 1);
		assertThat(sync.state().applied()).isNull();

		controlPlane.failFetchesWith(200);

		await().atMost(DEADLINE).until(() -> sync.state().applied() != null);
		assertThat(sync.state().applied().version()).isEqualTo("c1");
		assertThat(sync.state().lastRejection()).isNull();
	}

	@Test
	void startsFromLastKnownGoodWhenTheControlPlaneIsDown() throws IOException {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();
		await().atMost(DEADLINE).until(() -> Files.exists(data.resolve("gateway/last-known-good.json")));
		sync.close();
		URI down = controlPlane.uri();
		controlPlane.close();
		applied.clear();

		sync(down, List.of(), Duration.ofSeconds(30)).start();

		AppliedConfig config = sync.state().applied();
		assertThat(config).isNotNull();
		assertThat(config.version()).isEqualTo("c1");
		assertThat(config.origin()).isEqualTo(AppliedConfig.Origin.LAST_KNOWN_GOOD);
		assertThat(applied).hasSize(1);
		await().atMost(DEADLINE).until(() -> sync.state().lastError() != null);
		assertThat(sync.state().connected()).isFalse();
	}

	@Test
	void aCorruptLastKnownGoodCopyIsIgnored() throws IOException {
		Files.createDirectories(data.resolve("gateway"));
		Files.writeString(data.resolve("gateway/last-known-good.json"), "{ not json");

		sync().start();

		assertThat(sync.state().applied()).isNull();
	}

	@Test
	void reconnectsAfterTheStreamDropsAndCatchesUp() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c1", true));
		sync().start();
		await().atMost(DEADLINE).until(() -> sync.state().applied() != null);

		controlPlane.dropWatchers();
		controlPlane.serve("c2", Map.of("config-repo/application.yml", GOOD));
		controlPlane.push(status("c2", true)); // nobody listens: the reconnect must bring it

		await().atMost(DEADLINE).until(() -> "c2".equals(sync.state().applied().version()));
		assertThat(controlPlane.watchConnections.get()).isGreaterThanOrEqualTo(2);
	}

	@Test
	void aSilentStreamIsReopened() {
		controlPlane.serve("c1", Map.of("config-repo/application.yml", GOOD));
		sync(controlPlane.uri(), List.of(), Duration.ofMillis(600)).start();

		await().atMost(DEADLINE).until(() -> controlPlane.watchConnections.get() >= 2);
	}
}
