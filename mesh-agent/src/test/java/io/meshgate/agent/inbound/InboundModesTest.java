package io.meshgate.agent.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.meshgate.client.AppliedConfig;
import io.meshgate.model.LoadResult;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;

/** Which services take plain text inbound: {@code mesh.mode}, each service's {@code mode}, strict before any config. */
class InboundModesTest {

	private static AppliedConfig config(String yaml) {
		LoadResult loaded = MeshConfigLoader.load(List.of(YamlConfigFiles.parse(yaml, "application.yml")));
		assertThat(loaded.errors()).isEmpty();
		return new AppliedConfig("v1", List.of(), loaded.config(), Instant.now(), AppliedConfig.Origin.CONTROL_PLANE);
	}

	@Test
	void everyServiceIsStrictBeforeAnyConfigAndByDefault() {
		InboundModes modes = new InboundModes();
		assertThat(modes.allowsPlainText("orders")).isFalse();
		modes.applied(config("mesh:\n  services:\n    orders: {}\n"));
		assertThat(modes.allowsPlainText("orders")).isFalse();
	}

	@Test
	void aServiceOverridesTheMeshsModeEitherWay() {
		InboundModes modes = new InboundModes();
		modes.applied(config("""
				mesh:
				  services:
				    legacy: { mode: permissive }
				    orders: {}
				"""));
		assertThat(modes.allowsPlainText("legacy")).isTrue();
		assertThat(modes.allowsPlainText("orders")).isFalse();
		modes.applied(config("""
				mesh:
				  mode: permissive
				  services:
				    payments: { mode: strict }
				    orders: {}
				"""));
		assertThat(modes.allowsPlainText("orders")).isTrue();
		assertThat(modes.allowsPlainText("payments")).isFalse();
		assertThat(modes.allowsPlainText("legacy")).as("a service the model no longer names follows the mesh").isTrue();
	}

	@Test
	void aBadModeIsRefusedNamingTheFileAndKey() {
		LoadResult loaded = MeshConfigLoader.load(List.of(YamlConfigFiles.parse(
				"mesh:\n  services:\n    orders: { mode: lax }\n", "application.yml")));
		assertThat(loaded.valid()).isFalse();
		assertThat(loaded.errors().toString()).contains("application.yml").contains("mesh.services.orders.mode");
	}

	@Test
	void theCallerIsTheServiceOfAWorkloadsSpiffeIdElseUnknown() {
		assertThat(LocalWorkloadStep.caller("spiffe://meshgate.local/svc/orders")).isEqualTo("orders");
		assertThat(LocalWorkloadStep.caller("spiffe://meshgate.local/svc/gateway")).isEqualTo("gateway");
		assertThat(LocalWorkloadStep.caller("spiffe://meshgate.local/node/node-a")).isEqualTo("unknown");
		assertThat(LocalWorkloadStep.caller(null)).isEqualTo("unknown");
	}
}
