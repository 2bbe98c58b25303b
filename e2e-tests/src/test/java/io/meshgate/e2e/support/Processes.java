package io.meshgate.e2e.support;

import java.nio.file.Path;
import java.util.Map;

/** How the tests launch each of our processes: the same settings whichever topology starts them. */
final class Processes {

	private Processes() {
	}

	/** Where the control plane of a test's work directory keeps its data (CA, operator secret, Git clone). */
	static Path controlPlaneData(Path work) {
		return work.resolve("control-plane-data");
	}

	/** @param extra more environment, e.g. a short identity TTL */
	static JavaProcess controlPlane(Path work, Path gitRepository, ControlPlaneApi api, Map<String, String> extra) {
		Map<String, String> environment = new java.util.HashMap<>(extra);
		environment.putAll(Map.of("MESHGATE_CONFIG_GIT_URI", gitRepository.toString(), "MESHGATE_DATA_DIR",
				controlPlaneData(work).toString(), "MESHGATE_CONTROL_PLANE_PORT", String.valueOf(api.port),
				"MESHGATE_CONTROL_PLANE_MANAGEMENT_PORT", String.valueOf(api.managementPort)));
		return new JavaProcess("control-plane", Project.jar("control-plane", "-exec"), work, environment);
	}

	/** @param extra more environment, e.g. its join token, the trust for https endpoints */
	static JavaProcess gateway(Path work, ControlPlaneApi api, int port, int managementPort,
			Map<String, String> extra) {
		Map<String, String> environment = new java.util.HashMap<>(extra);
		environment.putAll(Map.of("MESHGATE_CONTROL_PLANE_URI", api.url(""), "MESHGATE_DATA_DIR",
				work.resolve("gateway-data").toString(), "MESHGATE_GATEWAY_PORT", String.valueOf(port),
				"MESHGATE_GATEWAY_MANAGEMENT_PORT", String.valueOf(managementPort)));
		return new JavaProcess("gateway", Project.jar("gateway", "-exec"), work, environment);
	}

	/** The environment that enrols the gateway, unless it holds an identity from an earlier start. */
	static Map<String, String> gatewayEnrolment(Path work, ControlPlaneApi api) {
		if (java.nio.file.Files.exists(work.resolve("gateway-data/gateway/identity/key.pem"))) {
			return Map.of();
		}
		return Map.of("MESHGATE_GATEWAY_JOIN_TOKEN", api.token("gateway", java.util.List.of("gateway")));
	}
}
