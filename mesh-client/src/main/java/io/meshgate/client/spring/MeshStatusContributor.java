package io.meshgate.client.spring;

/** A plane's own section of {@code /actuator/mesh} (the agent: listeners, workloads, endpoints and their load). */
public interface MeshStatusContributor {

	/** The section's key. */
	String name();

	/** The section, serialized as JSON. */
	Object status();
}
