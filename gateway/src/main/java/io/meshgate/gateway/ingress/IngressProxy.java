package io.meshgate.gateway.ingress;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import org.reactivestreams.Publisher;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.reactor.netty.NettyRouteProvider;

import io.meshgate.proxy.core.Decision;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.tls.MeshTls;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.limits.UpstreamLimits;
import io.meshgate.proxy.transport.reactor.Forwarder;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.resources.ConnectionProvider;

/**
 * Serves the model's ingress routes on the gateway's port, ahead of Spring WebFlux, for what the HTTP/1.1 relay
 * hands over (HTTP/2, gRPC, WebSocket, HTTP/1.0, {@code Expect: 100-continue}): the ingress pipeline runs in the
 * route's predicate; a request it passes goes on to Spring Cloud Gateway (the plain routes of gateway.yml), then 404;
 * the others are forwarded or answered by the same core as the mesh agents.
 * <p>
 * Why not Spring Cloud Gateway routes: its per-request machinery (exchange, predicates tested one route at a time,
 * filter chain, load-balancer lifecycle) cost the edge two thirds of its throughput in bench/run.sh's profiles.
 */
final class IngressProxy implements NettyRouteProvider, DisposableBean {

	/** The pipeline's decision, from the routing predicate to its handler: both run at once on one thread. */
	private static final ThreadLocal<Decided> DECIDED = new ThreadLocal<>();

	private final IngressState state;

	private final ConnectionProvider connections;

	private final Forwarder forwarder;

	IngressProxy(IngressState state, Duration connectTimeout, UpstreamTls tls, MeshTls meshTls, UpstreamLimits limits) {
		this.state = state;
		this.connections = Forwarder.upstreamPool("meshgate-ingress", limits);
		this.forwarder = new Forwarder(connections, connectTimeout, null, tls, meshTls);
		state.mirrorWith(forwarder);
	}

	@Override
	public void destroy() {
		connections.dispose();
	}

	@Override
	public HttpServerRoutes apply(HttpServerRoutes routes) {
		Predicate<HttpServerRequest> matches = this::decide;
		BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler = this::handle;
		return routes.route(matches, handler);
	}

	private boolean decide(HttpServerRequest request) {
		Pipeline pipeline = state.pipeline();
		Exchange exchange = Forwarder.exchange(request, pipeline);
		Decision decision = pipeline.decide(exchange, Forwarder.eventLoop(request));
		if (decision == Decision.PASS) {
			DECIDED.remove();
			return false;
		}
		DECIDED.set(new Decided(exchange, decision));
		return true;
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		Decided decided = DECIDED.get();
		DECIDED.remove();
		return forwarder.serve(request, response, decided.exchange, decided.decision);
	}

	private record Decided(Exchange exchange, Decision decision) {
	}
}
