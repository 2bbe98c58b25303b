package io.meshgate.controlplane.registry;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

import io.meshgate.model.protocol.Registration;

/**
 * A node's current registration and when it was last renewed.
 *
 * @param address   the node's inbound listener
 * @param services  the services it fronts, sorted and without duplicates
 * @param ttl       how long the lease lasts after a renewal
 * @param renewedAt when the node last registered
 * @param metrics   where its agent's metrics are scraped, {@code null} when it did not say
 */
record Lease(URI address, List<String> services, Duration ttl, Instant renewedAt, URI metrics) {

	static Lease of(Registration registration, Instant now) {
		return new Lease(registration.inboundAddress(), List.copyOf(new TreeSet<>(registration.services())),
				Duration.ofSeconds(registration.ttlSeconds()), now, registration.metricsAddress());
	}

	/** Same endpoints: renewing it is a heartbeat that changes nothing anyone sees. */
	boolean sameEndpoints(Lease other) {
		return other != null && address.equals(other.address) && services.equals(other.services);
	}

	boolean expiredAt(Instant now) {
		return now.isAfter(renewedAt.plus(ttl));
	}

	String describe() {
		return (services.isEmpty() ? "no services" : String.join(", ", services)) + " at " + address;
	}
}
