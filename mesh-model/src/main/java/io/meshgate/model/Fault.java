package io.meshgate.model;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Faults a route injects into its own traffic, to rehearse how callers cope (Istio's and Envoy's fault injection):
 * a share of the requests delayed, a share answered with an error instead of reaching the service. Applied by the
 * proxy that serves the route, the gateway for an ingress and the caller's agent east-west.
 *
 * @param delay a share of the requests waits this long before going on
 * @param abort a share of the requests is answered this status, never forwarded
 */
public record Fault(Delay delay, Abort abort) {

	/** {@code fault: {}}: Spring's YAML loader drops the empty map and the binder calls this (validation refuses it). */
	public static Fault valueOf(String empty) {
		if (!empty.isBlank()) {
			throw new IllegalArgumentException("a fault takes a delay and an abort, not a value");
		}
		return new Fault(null, null);
	}

	/** @param percent share of the requests delayed (0 to 100, fractions allowed) */
	public record Delay(double percent, Duration duration) {
	}

	/** @param percent share of the requests answered {@code status} (0 to 100) */
	public record Abort(double percent, @DefaultValue("503") int status) {
	}
}
