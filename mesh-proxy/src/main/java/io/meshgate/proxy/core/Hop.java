package io.meshgate.proxy.core;

import java.time.Duration;

import io.meshgate.proxy.balancer.EndpointStats;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Where one request goes and what the hop changes on it: the upstream picked for it, the origin-form target it is
 * sent with, the Host the upstream expects and the mesh's service header. Set on the {@link Exchange} by the last
 * step (balancing, or the inbound side's local workload).
 *
 * @param service      the service called, for error messages and the service header
 * @param upstream     scheme, host and port of the next hop ({@code http://10.0.0.7:15006}, {@code https://...})
 * @param pathAndQuery the origin-form request target
 * @param host         the Host header the upstream gets
 * @param tagService   whether the next hop gets the mesh's service header (to an agent) or loses it (to a workload)
 * @param timeout      deadline for the response headers (a response that streams is not cut); {@code null}: none
 * @param mesh         whether the upstream is another node's inbound listener, called over mutual TLS when this
 *                     proxy has a mesh identity (a registry endpoint; a static endpoint is outside the mesh)
 * @param idleTimeout  how long a response body may stall once its head arrived before it is cut; {@code null}: never
 */
public record Hop(String service, String upstream, String pathAndQuery, String host, boolean tagService,
		Duration timeout, boolean mesh, Duration idleTimeout) {

	/** A hop without an idle limit. */
	public Hop(String service, String upstream, String pathAndQuery, String host, boolean tagService,
			Duration timeout, boolean mesh) {
		this(service, upstream, pathAndQuery, host, tagService, timeout, mesh, null);
	}

	/** A hop outside the mesh (a workload, a static endpoint). */
	public Hop(String service, String upstream, String pathAndQuery, String host, boolean tagService,
			Duration timeout) {
		this(service, upstream, pathAndQuery, host, tagService, timeout, false, null);
	}

	/** The same hop to another endpoint of its service (a retry's). */
	public Hop to(EndpointStats endpoint) {
		return new Hop(service, endpoint.address(), pathAndQuery, endpoint.hostHeader(), tagService, timeout,
				endpoint.isMeshNode(), idleTimeout);
	}

	/** Whether the upstream is called over TLS. */
	public boolean secure() {
		return upstream.startsWith("https:");
	}

	/** The hop's own headers, set on the outgoing request after the end-to-end ones were copied. */
	public void applyTo(HttpHeaders headers) {
		headers.set(HttpHeaderNames.HOST, host);
		if (tagService) {
			headers.set(MeshHeaders.SERVICE, service);
		}
		else {
			headers.remove(MeshHeaders.SERVICE);
		}
	}
}
