package io.meshgate.model;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Outlier detection, the endpoint side of circuit breaking (Envoy's semantics): an endpoint that fails
 * {@code consecutive-failures} times in a row (a 5xx, a connection that could not be made or was reset, a timeout) is
 * ejected from balancing for {@code base-ejection-time} times the number of times it was ejected, at most
 * {@code max-ejection-time}, and comes back on its own afterwards. At most {@code max-ejection-percent} of a service's
 * endpoints are out at once (always at least one of two or more, never the last). An endpoint whose failures reach
 * {@code failure-percent} of at least {@code minimum-requests} within 10 seconds is ejected the same way (Envoy's
 * failure percentage), which catches the endpoint that fails one call in two and so never fails five in a row.
 *
 * @param consecutiveFailures failures in a row that eject an endpoint; 0 turns this rule off
 * @param failurePercent      the share of failed calls within 10 s that ejects an endpoint; absent: this rule is off
 * @param minimumRequests     calls an endpoint must have had within those 10 s before its share counts
 */
public record OutlierDetection(@DefaultValue("5") int consecutiveFailures,
		@DefaultValue("10s") Duration baseEjectionTime, @DefaultValue("300s") Duration maxEjectionTime,
		@DefaultValue("50") int maxEjectionPercent, Integer failurePercent, @DefaultValue("20") int minimumRequests) {

	/** What applies to a service that does not say: on, as Linkerd's failure accrual is. */
	public static final OutlierDetection DEFAULT = new OutlierDetection(5, Duration.ofSeconds(10),
			Duration.ofSeconds(300), 50, null, 20);


	public OutlierDetection {
		baseEjectionTime = baseEjectionTime == null ? Duration.ofSeconds(10) : baseEjectionTime;
		maxEjectionTime = maxEjectionTime == null ? Duration.ofSeconds(300) : maxEjectionTime;
	}

	public boolean enabled() {
		return consecutiveFailures > 0 || failurePercent != null;
	}
}
