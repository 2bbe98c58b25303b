package io.meshgate.agent.outbound;

import java.util.List;

import org.reactivestreams.Publisher;

import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.PowerOfTwoChoices;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.balancer.RoutingTableHolder;
import io.meshgate.proxy.forward.Forwarder;
import io.meshgate.proxy.forward.Hop;
import io.meshgate.proxy.forward.HopRouter;
import io.meshgate.proxy.forward.ProxyError;
import io.meshgate.proxy.forward.Routing;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Local apps → mesh: resolves the called service through the east-west routes, picks an endpoint (power of two
 * choices over latency and load) and forwards to that node's inbound listener with the service's timeout.
 */
public final class OutboundProxy implements HopRouter {

	private final RoutingTableHolder tables;

	private final Forwarder forwarder;

	public OutboundProxy(RoutingTableHolder tables, Forwarder forwarder) {
		this.tables = tables;
		this.forwarder = forwarder;
	}

	public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		return forwarder.serve(request, response, route(request.method(), request.uri(), request.requestHeaders()));
	}

	@Override
	public Routing route(HttpMethod method, String uri, HttpHeaders headers) {
		OutboundTarget target = OutboundTarget.of(uri, headers);
		if (target.service() == null) {
			return ProxyError.badRequest("name the service: an absolute URI (http://inventory/stock/1) or a Host header");
		}
		RoutingTable table = tables.current();
		if (!table.knows(target.service())) {
			return ProxyError.unknownService(target.service());
		}
		String service = table.destination(target.service(), target.path(), headers);
		List<EndpointStats> endpoints = table.endpoints(service);
		if (endpoints.isEmpty()) {
			return ProxyError.noEndpoint(service);
		}
		EndpointStats endpoint = PowerOfTwoChoices.pick(endpoints);
		endpoint.started();
		return new Hop(service, endpoint.address(), target.pathAndQuery(), endpoint.hostHeader(), true,
				table.timeout(service), endpoint);
	}
}
