package io.meshgate.controlplane.access;

import java.security.cert.X509Certificate;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who sent a request to the control plane's API, as {@link CallerFilter} established it: a node of the mesh (by the
 * node SVID it presented in the TLS handshake) or the operator (by the operator secret). Controllers read it with
 * {@link #of(HttpServletRequest)}.
 */
public sealed interface Caller {

	String ATTRIBUTE = Caller.class.getName();

	/**
	 * @param name        the node's name, from its SPIFFE ID {@code spiffe://<td>/node/<name>}
	 * @param certificate the node SVID it presented
	 * @param services    the services its join token entitled it to serve
	 */
	record Node(String name, X509Certificate certificate, List<String> services) implements Caller {
	}

	record Operator() implements Caller {
	}

	/** The caller of a request the filter let through; {@code null} for the API's open endpoints. */
	static Caller of(HttpServletRequest request) {
		return (Caller) request.getAttribute(ATTRIBUTE);
	}
}
