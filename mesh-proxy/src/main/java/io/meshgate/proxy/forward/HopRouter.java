package io.meshgate.proxy.forward;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A listener's routing decision for one request, the same for every way a request arrives (reactor-netty's server,
 * the HTTP/1.1 relay). Picking an endpoint counts the request on it: the hop's outcome must be told.
 */
@FunctionalInterface
public interface HopRouter {

	/** @return the hop or the error to answer; {@code null} when this listener does not serve the request */
	Routing route(HttpMethod method, String uri, HttpHeaders headers);
}
