package io.meshgate.model.protocol;

/** Paths of the control plane's mesh API, beside the config server's own {@code /{application}/{profile}/{label}}. */
public final class MeshApi {

	/**
	 * Server-sent events: {@value #VERSION_EVENT} with a {@link CommitStatus}, {@value #ENDPOINTS_EVENT} with an
	 * {@link EndpointSet} and {@value #BUNDLE_EVENT} with the {@link TrustBundle}, each at once on connect and on
	 * every change.
	 */
	public static final String WATCH = "/mesh/v1/watch";

	/** The current {@link CommitStatus}. */
	public static final String STATUS = "/mesh/v1/status";

	/** Check Git now (for webhooks) instead of at the next poll. */
	public static final String POLL = "/mesh/v1/poll";

	/** The registry: {@code GET} all endpoints; {@code PUT|DELETE /nodes/{node}} register or leave. */
	public static final String REGISTRY = "/mesh/v1/registry";

	/** A node enrols: a join token and a CSR ({@link EnrolmentRequest}) for its SVIDs ({@link Enrolment}). */
	public static final String ENROL = "/mesh/v1/enrol";

	/**
	 * A node renews the identities it holds ({@link RenewalRequest}): the same SPIFFE IDs, for the same key, answered
	 * as an {@link Enrolment}.
	 */
	public static final String RENEW = "/mesh/v1/renew";

	/** The operator makes a join token ({@link TokenRequest}); {@code Authorization: Bearer <operator secret>}. */
	public static final String TOKENS = "/mesh/v1/tokens";

	/** The CA's roots, PEM: public, and checked by a node against its token's fingerprint. */
	public static final String TRUST_BUNDLE = "/mesh/v1/trust-bundle";

	/**
	 * The CA: {@code GET} its roots and rotation phase; {@code POST /rotation} (the operator) starts a root rotation
	 * ({@link RotationRequest}).
	 */
	public static final String CA = "/mesh/v1/ca";

	public static final String CA_ROTATION = CA + "/rotation";

	/**
	 * Request header naming the service a request is for, set by the calling agent or the gateway when it sends to a
	 * node's inbound listener (whose address says nothing about the service).
	 */
	public static final String SERVICE_HEADER = "x-meshgate-service";

	public static final String VERSION_EVENT = "version";

	/** Server-sent event with an {@link EndpointSet}: at once and on every registry change. */
	public static final String ENDPOINTS_EVENT = "endpoints";

	/** Server-sent event with a {@link TrustBundle}: at once and at each phase of a CA rotation. */
	public static final String BUNDLE_EVENT = "bundle";

	private MeshApi() {
	}
}
