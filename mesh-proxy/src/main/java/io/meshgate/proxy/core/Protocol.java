package io.meshgate.proxy.core;

/** How a request arrived; the transport that read it knows, steps and observers may care (gRPC answers). */
public enum Protocol {

	HTTP_1_0, HTTP_1_1, HTTP_2, GRPC, WEBSOCKET;

	/** gRPC callers understand only gRPC statuses: the proxy's own answers to them are trailers-only responses. */
	public boolean isGrpc() {
		return this == GRPC;
	}
}
