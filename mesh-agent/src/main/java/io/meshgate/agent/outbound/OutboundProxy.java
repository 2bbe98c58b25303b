package io.meshgate.agent.outbound;

import java.util.List;

import org.reactivestreams.Publisher;

import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.PowerOfTwoChoices;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.balancer.RoutingTableHolder;
import io.meshgate.proxy.forward.Forwarder;
import io.meshgate.proxy.forward.MeshHeaders;
import io.meshgate.proxy.forward.ProxyError;
import io.meshgate.proxy.forward.ProxyResponses;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Local apps → mesh: resolves the called service through the east-west routes, picks an endpoint (power of two
 * choices over latency and load) and forwards to that node's inbound listener with the service's timeout.
 */
public final class OutboundProxy {

	private final RoutingTableHolder tables;

	private final Forwarder forwarder;

	public OutboundProxy(RoutingTableHolder tables, Forwarder forwarder) {
		this.tables = tables;
		this.forwarder = forwarder;
	}

	public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		OutboundTarget target = OutboundTarget.of(request);
		if (target.service() == null) {
			return ProxyResponses.send(response, ProxyError.badRequest(
					"name the service: an absolute URI (http://inventory/stock/1) or a Host header"));
		}
		RoutingTable table = tables.current();
		if (!table.knows(target.service())) {
			return ProxyResponses.send(response, ProxyError.unknownService(target.service()));
		}
		String service = table.destination(target.service(), target.path(), request.requestHeaders());
		List<EndpointStats> endpoints = table.endpoints(service);
		if (endpoints.isEmpty()) {
			return ProxyResponses.send(response, ProxyError.noEndpoint(service));
		}
		EndpointStats endpoint = PowerOfTwoChoices.pick(endpoints);
		endpoint.started();
		return forwarder.forward(request, response, endpoint.address(), target.pathAndQuery(), service,
				table.timeout(service), headers -> {
					headers.set(MeshHeaders.SERVICE, service);
					headers.set("host", endpoint.hostHeader());
				}, endpoint);
	}
}
