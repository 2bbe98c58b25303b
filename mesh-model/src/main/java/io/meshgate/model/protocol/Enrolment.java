package io.meshgate.model.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * The control plane's answer to an enrolment: X.509-SVIDs for the node's key.
 *
 * @param trustDomain  the mesh's SPIFFE trust domain
 * @param certificates SPIFFE ID to its certificate (PEM): {@code spiffe://<td>/node/<node>} and one
 *                     {@code spiffe://<td>/svc/<service>} per entitled service asked for
 * @param trustBundle  the CA roots peers are verified against (PEM)
 * @param expiresAt    when the certificates expire
 */
public record Enrolment(String trustDomain, Map<String, String> certificates, String trustBundle, Instant expiresAt) {

	public Enrolment {
		certificates = certificates == null ? Map.of() : Map.copyOf(certificates);
	}
}
