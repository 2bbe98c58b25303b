package io.meshgate.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The health of a proxy's config, the same in every proxy whatever serves its admin port: UP while a config is
 * served, from the control plane or from last-known-good (the details say which, and whether the control plane is
 * reachable); OUT_OF_SERVICE before any config was applied.
 *
 * @param status  {@code UP} or {@code OUT_OF_SERVICE}
 * @param details what a user needs to tell why
 */
public record ConfigHealth(String status, Map<String, Object> details) {

	public static final String UP = "UP";

	public static final String OUT_OF_SERVICE = "OUT_OF_SERVICE";

	public static ConfigHealth of(SyncState state) {
		Map<String, Object> details = new LinkedHashMap<>();
		AppliedConfig applied = state.applied();
		String status;
		if (applied == null) {
			status = OUT_OF_SERVICE;
			details.put("reason", "no config applied yet");
		}
		else {
			status = UP;
			details.put("version", applied.version());
			details.put("appliedAt", applied.appliedAt());
			details.put("origin", applied.originName());
		}
		details.put("controlPlane", state.controlPlane());
		details.put("controlPlaneConnected", state.connected());
		if (state.lastError() != null) {
			details.put("controlPlaneError", state.lastError());
		}
		if (state.lastRejection() != null) {
			details.put("lastRejection", MeshStatus.LastRejection.of(state.lastRejection()));
		}
		return new ConfigHealth(status, details);
	}

	public boolean up() {
		return UP.equals(status);
	}
}
