package io.meshgate.gateway.identity;

/** The gateway's place in the mesh: node {@code gateway}, calling as {@code spiffe://<trust-domain>/svc/gateway}. */
public final class GatewayIdentity {

	/** The service the gateway is in the mesh, and the node it enrols as. */
	public static final String SERVICE = "gateway";

	private GatewayIdentity() {
	}
}
