package io.meshgate.proxy.mirror;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Sends a request's copy and forgets it: never waits, never fails the caller, bounds its copies in flight. The
 * reactor-netty transport's clients do it for both transports (they hold the pools and the mesh's mutual TLS).
 */
public interface MirrorSender {

	void send(HttpMethod method, HttpHeaders headers, Mirrored mirror);
}
