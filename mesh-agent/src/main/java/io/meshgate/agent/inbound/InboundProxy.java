package io.meshgate.agent.inbound;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

import org.reactivestreams.Publisher;

import io.meshgate.proxy.forward.Forwarder;
import io.meshgate.proxy.forward.MeshHeaders;
import io.meshgate.proxy.forward.ProxyError;
import io.meshgate.proxy.forward.ProxyResponses;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Mesh → local workloads: forwards a request to the workload of the service it names (the mesh's service header, set
 * by the calling agent or the gateway, else the Host header). The caller's agent owns the timeout.
 */
public final class InboundProxy {

	private static final Forwarder.Outcome IGNORED = (success, nanos) -> {
	};

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
		String service = request.requestHeaders().get(MeshHeaders.SERVICE);
		if (service == null) {
			String host = request.requestHeaders().get(HttpHeaderNames.HOST);
			service = host == null ? null : host.replaceFirst(":\\d+$", "").toLowerCase(Locale.ROOT);
		}
		String workload = service == null ? null : workloads.get(service);
		if (workload == null) {
			return ProxyResponses.send(response, new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE,
					"no_local_workload", "node '" + node + "' runs no workload of service '" + service + "'"));
		}
		String target = service;
		return forwarder.forward(request, response, workload, request.uri(), service, null, headers -> {
			headers.remove(MeshHeaders.SERVICE);
			headers.set("host", target);
		}, IGNORED);
	}

	private static String origin(URI address) {
		return address.getScheme() + "://" + address.getHost() + ":" + address.getPort();
	}
}
