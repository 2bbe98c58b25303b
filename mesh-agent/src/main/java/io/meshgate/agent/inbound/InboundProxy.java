package io.meshgate.agent.inbound;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

import org.reactivestreams.Publisher;

import io.meshgate.proxy.forward.Forwarder;
import io.meshgate.proxy.forward.MeshHeaders;
import io.meshgate.proxy.forward.ProxyError;
import io.meshgate.proxy.forward.Hop;
import io.meshgate.proxy.forward.HopRouter;
import io.meshgate.proxy.forward.Routing;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Mesh → local workloads: forwards a request to the workload of the service it names (the mesh's service header, set
 * by the calling agent or the gateway, else the Host header). The caller's agent owns the timeout.
 */
public final class InboundProxy implements HopRouter {

	private final String node;

	private final Map<String, String> workloads;

	private final Forwarder forwarder;

	public InboundProxy(String node, Map<String, URI> workloads, Forwarder forwarder) {
		this.node = node;
		this.workloads = new java.util.HashMap<>();
		workloads.forEach((service, address) -> this.workloads.put(service, origin(address)));
		this.forwarder = forwarder;
	}

	public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		return forwarder.serve(request, response, route(request.method(), request.uri(), request.requestHeaders()));
	}

	@Override
	public Routing route(HttpMethod method, String uri, HttpHeaders headers) {
		String service = headers.get(MeshHeaders.SERVICE);
		if (service == null) {
			String host = headers.get(HttpHeaderNames.HOST);
			service = host == null ? null : withoutPort(host).toLowerCase(Locale.ROOT);
		}
		String workload = service == null ? null : workloads.get(service);
		if (workload == null) {
			return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_local_workload",
					"node '" + node + "' runs no workload of service '" + service + "'");
		}
		// the caller's agent owns the timeout and the balancing
		return new Hop(service, workload, uri, service, false, null, Hop.UNOBSERVED);
	}

	private static String withoutPort(String host) {
		int colon = host.lastIndexOf(':');
		if (colon < 0 || host.endsWith("]")) {
			return host;
		}
		for (int i = colon + 1; i < host.length(); i++) {
			if (!Character.isDigit(host.charAt(i))) {
				return host;
			}
		}
		return host.substring(0, colon);
	}

	private static String origin(URI address) {
		return address.getScheme() + "://" + address.getHost() + ":" + address.getPort();
	}
}
