package io.meshgate.agent.inbound;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.MeshHeaders;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.metrics.RouteMeters;

/**
 * Mesh → local workloads, the inbound direction's only step: the request goes to this node's workload of the service
 * it names (the mesh's service header, set by the calling agent or the gateway, else Host). A call that came in plain
 * text is refused (403 {@code mtls_required}) unless the service's {@code mesh.mode} is permissive. The caller is
 * the SPIFFE ID its client certificate proved: a workload's ({@code svc/<service>}, the gateway's {@code svc/gateway})
 * is the golden metrics' {@code source}; a node's, or plain text, is {@code unknown}. The caller's side owns the
 * timeout and the balancing, so the hop has neither; the workload does not get the service header.
 */
public final class LocalWorkloadStep implements Step {

	/** The source of a call whose caller is not a workload of the mesh (plain text, or a node's own identity). */
	public static final String SOURCE = "unknown";

	private static final String SERVICE_PATH = "/svc/";

	private final String node;

	private final Map<String, Workload> workloads = new HashMap<>();

	private final InboundModes modes;

	private final GoldenMetrics metrics;

	public LocalWorkloadStep(String node, Map<String, URI> workloads, GoldenMetrics metrics, InboundModes modes) {
		this.node = node;
		this.modes = modes;
		this.metrics = metrics;
		workloads.forEach((service, address) -> this.workloads.put(service, new Workload(service,
				address.getScheme() + "://" + address.getHost() + ":" + address.getPort(),
				metrics.meters(Direction.INBOUND, SOURCE, "default", service), new ConcurrentHashMap<>())));
	}

	@Override
	public Verdict apply(Exchange exchange) {
		String service = exchange.head().headers().get(MeshHeaders.SERVICE);
		if (service == null) {
			service = exchange.head().host();
		}
		Workload workload = service == null ? null : workloads.get(service);
		if (workload == null) {
			return ProxyError.noLocalWorkload(node, service);
		}
		String peer = exchange.head().peerIdentity();
		if (peer == null && !modes.allowsPlainText(service)) {
			exchange.destination(service, workload.unknownCaller);
			return ProxyError.mutualTlsRequired(node, service);
		}
		exchange.destination(service, peer == null ? workload.unknownCaller : workload.meters(peer, metrics));
		exchange.hop(new Hop(service, workload.origin, exchange.forwardTarget(), service, false, null));
		return Verdict.NEXT;
	}

	/** The service of a workload's SPIFFE ID ({@code spiffe://<td>/svc/<service>}); else {@link #SOURCE}. */
	static String caller(String peer) {
		if (peer == null) {
			return SOURCE;
		}
		int path = peer.indexOf('/', "spiffe://".length());
		return path > 0 && peer.startsWith(SERVICE_PATH, path) ? peer.substring(path + SERVICE_PATH.length()) : SOURCE;
	}

	/** A local workload, and its golden metrics by the caller's SPIFFE ID (resolved once per caller). */
	private record Workload(String service, String origin, RouteMeters unknownCaller,
			Map<String, RouteMeters> byPeer) {

		RouteMeters meters(String peer, GoldenMetrics metrics) {
			RouteMeters known = byPeer.get(peer);
			return known != null ? known : byPeer.computeIfAbsent(peer,
					id -> metrics.meters(Direction.INBOUND, caller(id), "default", service));
		}
	}
}
