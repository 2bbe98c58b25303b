package io.meshgate.controlplane.access;

import io.meshgate.model.protocol.MeshApi;

/**
 * Who may call what on the control plane's port. Everything not named here (config reads by every path the config
 * server answers, the watch stream, status, registry reads) needs a node of the mesh or the operator: a new endpoint
 * is closed until it is listed.
 */
enum Access {

	/** Open: the trust bundle (public), enrolment (the join token is the credential), the Git webhook (its HMAC). */
	OPEN,
	/** The operator secret: making join tokens, rotating the CA's root. */
	OPERATOR,
	/** A node only: renewing its own identities, registering itself. */
	NODE,
	NODE_OR_OPERATOR;

	static Access of(String method, String path) {
		if (path.equals(MeshApi.TRUST_BUNDLE) || path.equals(MeshApi.ENROL) || path.equals(MeshApi.POLL)
				|| path.equals("/error")) {
			return OPEN;
		}
		if (path.equals(MeshApi.TOKENS) || path.equals(MeshApi.CA_ROTATION)) {
			return OPERATOR;
		}
		if (path.equals(MeshApi.RENEW) || (path.startsWith(MeshApi.REGISTRY + "/") && method.equals("PUT"))) {
			return NODE;
		}
		return NODE_OR_OPERATOR;
	}
}
