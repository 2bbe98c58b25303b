package io.meshgate.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** Writes the agent's own error answers. */
public final class ProxyResponses {

	private ProxyResponses() {
	}

	public static Mono<Void> send(HttpServerResponse response, ProxyError error) {
		return response.status(error.status())
			.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
			.sendByteArray(Mono.just(error.json()))
			.then();
	}
}
