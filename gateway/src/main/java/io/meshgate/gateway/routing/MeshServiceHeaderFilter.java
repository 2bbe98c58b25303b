package io.meshgate.gateway.routing;

import java.net.URI;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import io.meshgate.model.protocol.MeshApi;
import reactor.core.publisher.Mono;

/**
 * Tells the destination node's inbound listener which service a request is for ({@code x-meshgate-service}): the
 * listener's address says nothing about it. Every {@code lb://service} route gets it, mesh routes and plain Spring
 * Cloud Gateway routes alike; a caller cannot choose it.
 */
@Component
class MeshServiceHeaderFilter implements GlobalFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		URI uri = route == null ? null : route.getUri();
		if (uri == null || !"lb".equals(uri.getScheme()) || uri.getHost() == null) {
			return chain.filter(exchange.mutate()
				.request(request -> request.headers(headers -> headers.remove(MeshApi.SERVICE_HEADER)))
				.build());
		}
		return chain.filter(exchange.mutate()
			.request(request -> request.headers(headers -> headers.set(MeshApi.SERVICE_HEADER, uri.getHost())))
			.build());
	}

	/** Before the load balancer and the routing filter; the header is then part of the request they send. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}
}
