package io.meshgate.gateway.ingress;

import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import org.reactivestreams.Publisher;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.reactor.netty.NettyRouteProvider;

import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.PowerOfTwoChoices;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.balancer.WeightedSplit;
import io.meshgate.proxy.forward.Forwarder;
import io.meshgate.proxy.forward.Hop;
import io.meshgate.proxy.forward.HopRouter;
import io.meshgate.proxy.forward.ProxyError;
import io.meshgate.proxy.forward.Routing;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.resources.ConnectionProvider;

/**
 * Serves the model's ingress routes on the gateway's port, ahead of Spring WebFlux: a request that matches one is
 * balanced and forwarded by the same core as the mesh agents (streamed bodies, HTTP/2, gRPC, WebSocket, the mesh's
 * JSON errors); anything else goes on to Spring Cloud Gateway (the plain routes of gateway.yml), then 404.
 * <p>
 * Why not Spring Cloud Gateway routes: its per-request machinery (exchange, predicates tested one route at a time,
 * filter chain, load-balancer lifecycle) cost the edge two thirds of its throughput in bench/run.sh's profiles.
 */
final class IngressProxy implements NettyRouteProvider, HopRouter, DisposableBean {

	/** The route a request matched, from the routing predicate to its handler: both run at once on one thread. */
	private static final ThreadLocal<IngressRoute> MATCHED = new ThreadLocal<>();

	private final IngressState state;

	private final ConnectionProvider connections = Forwarder.upstreamPool("meshgate-ingress");

	private final Forwarder forwarder;

	IngressProxy(IngressState state, Duration connectTimeout) {
		this.state = state;
		this.forwarder = new Forwarder(connections, connectTimeout);
	}

	@Override
	public void destroy() {
		connections.dispose();
	}

	@Override
	public HttpServerRoutes apply(HttpServerRoutes routes) {
		Predicate<HttpServerRequest> matches = this::match;
		BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler = this::handle;
		return routes.route(matches, handler);
	}

	private boolean match(HttpServerRequest request) {
		IngressRoute route = match(request.method(), request.uri(), request.requestHeaders());
		if (route == null) {
			MATCHED.remove();
			return false;
		}
		MATCHED.set(route);
		return true;
	}

	private IngressRoute match(HttpMethod method, String uri, HttpHeaders headers) {
		if (uri.isEmpty() || uri.charAt(0) != '/') {
			return null;
		}
		int query = uri.indexOf('?');
		return state.ingress().match(method.name(), query < 0 ? uri : uri.substring(0, query), headers);
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		IngressRoute route = MATCHED.get();
		MATCHED.remove();
		return forwarder.serve(request, response, hop(route, request.uri()));
	}

	/** The HTTP/1.1 relay's way in: the same match and hop as {@link #apply}'s, in one call. */
	@Override
	public Routing route(HttpMethod method, String uri, HttpHeaders headers) {
		IngressRoute route = match(method, uri, headers);
		return route == null ? null : hop(route, uri);
	}

	private Routing hop(IngressRoute route, String uri) {
		RoutingTable table = state.routing();
		String service = WeightedSplit.pick(route.to());
		List<EndpointStats> endpoints = table.endpoints(service);
		if (endpoints.isEmpty()) {
			return ProxyError.noEndpoint(service);
		}
		EndpointStats endpoint = PowerOfTwoChoices.pick(endpoints);
		endpoint.started();
		return new Hop(service, endpoint.address(), stripPrefix(uri, route.stripPrefix()), endpoint.hostHeader(), true,
				table.timeout(service), endpoint);
	}

	/** The request target without its first {@code parts} path segments, as Spring Cloud Gateway's StripPrefix. */
	static String stripPrefix(String uri, int parts) {
		if (parts == 0) {
			return uri;
		}
		int query = uri.indexOf('?');
		int end = query < 0 ? uri.length() : query;
		int cut = 0;
		for (int i = 0; i < parts; i++) {
			int next = uri.indexOf('/', cut + 1);
			if (next < 0 || next > end) {
				cut = end;
				break;
			}
			cut = next;
		}
		String rest = uri.substring(cut);
		return rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest;
	}
}
