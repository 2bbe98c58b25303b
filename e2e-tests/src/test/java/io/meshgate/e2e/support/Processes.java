package io.meshgate.e2e.support;

import java.nio.file.Path;
import java.util.Map;

/** How the tests launch each of our processes: the same settings whichever topology starts them. */
final class Processes {

	private Processes() {
	}

	static JavaProcess controlPlane(Path work, Path gitRepository, int port) {
		return controlPlane(work, gitRepository, port, Map.of());
	}

	/** @param extra more environment, e.g. a short identity TTL */
	static JavaProcess controlPlane(Path work, Path gitRepository, int port, Map<String, String> extra) {
		Map<String, String> environment = new java.util.HashMap<>(extra);
		environment.putAll(Map.of("MESHGATE_CONFIG_GIT_URI", gitRepository.toString(), "MESHGATE_DATA_DIR",
				work.resolve("control-plane-data").toString(), "MESHGATE_CONTROL_PLANE_PORT", String.valueOf(port)));
		return new JavaProcess("control-plane", Project.jar("control-plane", "-exec"), work, environment);
	}

	static JavaProcess gateway(Path work, int controlPlanePort, int port, int managementPort) {
		return gateway(work, controlPlanePort, port, managementPort, Map.of());
	}

	/** @param extra more environment, e.g. the trust for https endpoints */
	static JavaProcess gateway(Path work, int controlPlanePort, int port, int managementPort,
			Map<String, String> extra) {
		Map<String, String> environment = new java.util.HashMap<>(extra);
		environment.putAll(Map.of("MESHGATE_CONTROL_PLANE_URI", "http://127.0.0.1:" + controlPlanePort,
				"MESHGATE_DATA_DIR", work.resolve("gateway-data").toString(), "MESHGATE_GATEWAY_PORT",
				String.valueOf(port), "MESHGATE_GATEWAY_MANAGEMENT_PORT", String.valueOf(managementPort)));
		return new JavaProcess("gateway", Project.jar("gateway", "-exec"), work, environment);
	}
}
