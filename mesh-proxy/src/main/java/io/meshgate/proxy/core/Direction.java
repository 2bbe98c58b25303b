package io.meshgate.proxy.core;

import java.util.Locale;

/** Which way a request crosses a proxy: the edge's, or one of an agent's two listeners. */
public enum Direction {

	/** public traffic into the mesh, at the gateway */
	INGRESS,
	/** a local app calling the mesh, at its node's agent */
	OUTBOUND,
	/** the mesh calling a local workload, at the destination node's agent */
	INBOUND;

	private final String label = name().toLowerCase(Locale.ROOT);

	/** As metrics, logs and traces name it. */
	public String label() {
		return label;
	}
}
