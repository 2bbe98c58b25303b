package io.meshgate.client.controlplane;

import io.meshgate.model.protocol.TrustBundle;
import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.EndpointSet;

/** An event of the control plane's watch stream. */
public sealed interface WatchEvent {

	/** A config commit and whether it is valid. */
	record Version(CommitStatus status) implements WatchEvent {
	}

	/** The registry's endpoints, whole. */
	record Endpoints(EndpointSet endpoints) implements WatchEvent {
	}

	/** The CA's roots, whole: at connect and at each phase of a rotation. */
	record Bundle(TrustBundle bundle) implements WatchEvent {
	}
}
