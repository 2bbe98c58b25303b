package io.meshgate.client;

import java.time.Instant;

/**
 * What a proxy serves and how it stands with the control plane; shown by {@code /actuator/mesh} and health.
 *
 * @param application    the application name the config is fetched for
 * @param applied        the config in service, {@code null} before the first one
 * @param lastRejection  the last refused version, {@code null} if none
 * @param controlPlane   the control plane's URI
 * @param connected      whether the watch stream is open
 * @param lastContact    when the control plane was last heard from
 * @param lastError      why the last connection attempt or fetch failed, {@code null} after success
 */
public record SyncState(String application, AppliedConfig applied, Rejection lastRejection, String controlPlane,
		boolean connected, Instant lastContact, String lastError) {
}
