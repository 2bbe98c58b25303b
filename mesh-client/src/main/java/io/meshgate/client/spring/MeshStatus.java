package io.meshgate.client.spring;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.Rejection;
import io.meshgate.client.SyncState;
import io.meshgate.model.ConfigError;
import io.meshgate.model.MeshConfig;

/** The body of {@code /actuator/mesh}: the applied config version, when, from where, and the last rejection. */
public record MeshStatus(String application, String version, Instant appliedAt, String origin,
		ControlPlane controlPlane, LastRejection lastRejection, Map<String, Object> plane, MeshConfig model) {

	public record ControlPlane(String uri, boolean connected, Instant lastContact, String lastError) {
	}

	public record LastRejection(String version, Instant rejectedAt, List<String> errors, List<ConfigError> details) {
	}

	static MeshStatus of(SyncState state) {
		return of(state, Map.of());
	}

	static MeshStatus of(SyncState state, Map<String, Object> plane) {
		AppliedConfig applied = state.applied();
		Rejection rejection = state.lastRejection();
		return new MeshStatus(state.application(), applied == null ? null : applied.version(),
				applied == null ? null : applied.appliedAt(), applied == null ? null : origin(applied),
				new ControlPlane(state.controlPlane(), state.connected(), state.lastContact(), state.lastError()),
				rejection == null ? null
						: new LastRejection(rejection.version(), rejection.rejectedAt(),
								rejection.errors().stream().map(ConfigError::toString).toList(), rejection.errors()),
				plane, applied == null ? null : applied.model());
	}

	static String origin(AppliedConfig applied) {
		return applied.origin().name().toLowerCase().replace('_', '-');
	}
}
