package io.meshgate.proxy.forward;

import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Where one request goes and what the hop changes on it: the upstream picked for it, the origin-form target it is
 * sent with, the Host the upstream expects and the mesh's service header.
 *
 * @param service      the service called, for error messages and the service header
 * @param upstream     scheme, host and port of the next hop ({@code http://10.0.0.7:15006})
 * @param pathAndQuery the origin-form request target
 * @param host         the Host header the upstream gets
 * @param tagService   whether the next hop gets the mesh's service header (to an agent) or loses it (to a workload)
 * @param timeout      deadline for the response headers; {@code null} for none
 * @param outcome      told once when the upstream answered or failed
 */
public record Hop(String service, String upstream, String pathAndQuery, String host, boolean tagService,
		Duration timeout, Forwarder.Outcome outcome) implements Routing {

	/** For hops whose answers feed no balancer (to a local workload). */
	public static final Forwarder.Outcome UNOBSERVED = (success, nanos) -> {
	};

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
