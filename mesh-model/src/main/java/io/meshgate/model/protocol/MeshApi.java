package io.meshgate.model.protocol;

/** Paths of the control plane's mesh API, beside the config server's own {@code /{application}/{profile}/{label}}. */
public final class MeshApi {

	/** Server-sent events: {@value #VERSION_EVENT} with a {@link CommitStatus} at once and on every new commit. */
	public static final String WATCH = "/mesh/v1/watch";

	/** The current {@link CommitStatus}. */
	public static final String STATUS = "/mesh/v1/status";

	/** Check Git now (for webhooks) instead of at the next poll. */
	public static final String POLL = "/mesh/v1/poll";

	public static final String VERSION_EVENT = "version";

	private MeshApi() {
	}
}
