package io.meshgate.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.meshgate.model.ConfigError;
import io.meshgate.model.MeshConfig;

/**
 * The body of {@code /actuator/mesh} in every proxy: the applied config version, when, from where, the control plane
 * connection, the last rejection, the plane's own section ({@code plane}) and the applied model.
 */
public record MeshStatus(String application, String version, Instant appliedAt, String origin,
		ControlPlane controlPlane, LastRejection lastRejection, Map<String, Object> plane, MeshConfig model) {

	public record ControlPlane(String uri, boolean connected, Instant lastContact, String lastError) {
	}

	public record LastRejection(String version, Instant rejectedAt, List<String> errors, List<ConfigError> details) {

		static LastRejection of(Rejection rejection) {
			return new LastRejection(rejection.version(), rejection.rejectedAt(),
					rejection.errors().stream().map(ConfigError::toString).toList(), rejection.errors());
		}
	}

	public static MeshStatus of(SyncState state, Map<String, Object> plane) {
		AppliedConfig applied = state.applied();
		Rejection rejection = state.lastRejection();
		return new MeshStatus(state.application(), applied == null ? null : applied.version(),
				applied == null ? null : applied.appliedAt(), applied == null ? null : applied.originName(),
				new ControlPlane(state.controlPlane(), state.connected(), state.lastContact(), state.lastError()),
				rejection == null ? null : LastRejection.of(rejection),
				plane, applied == null ? null : applied.model());
	}

}
