package io.meshgate.model;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Outlier detection, the endpoint side of circuit breaking (Envoy's semantics): an endpoint that fails
 * {@code consecutive-failures} times in a row (a 5xx, a connection that could not be made or was reset, a timeout) is
 * ejected from balancing for {@code base-ejection-time} times the number of times it was ejected, at most
 * {@code max-ejection-time}, and comes back on its own afterwards. At most {@code max-ejection-percent} of a service's
 * endpoints are out at once (always at least one of two or more, never the last).
 *
 * @param consecutiveFailures failures in a row that eject an endpoint; 0 turns detection off
 */
public record OutlierDetection(@DefaultValue("5") int consecutiveFailures,
		@DefaultValue("10s") Duration baseEjectionTime, @DefaultValue("300s") Duration maxEjectionTime,
		@DefaultValue("50") int maxEjectionPercent) {

	/** What applies to a service that does not say: on, as Linkerd's failure accrual is. */
	public static final OutlierDetection DEFAULT = new OutlierDetection(5, Duration.ofSeconds(10),
			Duration.ofSeconds(300), 50);

	public OutlierDetection {
		baseEjectionTime = baseEjectionTime == null ? Duration.ofSeconds(10) : baseEjectionTime;
		maxEjectionTime = maxEjectionTime == null ? Duration.ofSeconds(300) : maxEjectionTime;
	}

	public boolean enabled() {
		return consecutiveFailures > 0;
	}
}
