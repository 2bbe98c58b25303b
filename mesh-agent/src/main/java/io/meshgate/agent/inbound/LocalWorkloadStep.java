package io.meshgate.agent.inbound;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

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
 * it names (the mesh's service header, set by the calling agent or the gateway, else Host). The caller's side owns
 * the timeout and the balancing, so the hop has neither; the workload does not get the service header.
 */
public final class LocalWorkloadStep implements Step {

	/** Until mTLS identities exist, an inbound listener cannot tell who calls it. */
	public static final String SOURCE = "unknown";

	private final String node;

	private final Map<String, Workload> workloads = new HashMap<>();

	public LocalWorkloadStep(String node, Map<String, URI> workloads, GoldenMetrics metrics) {
		this.node = node;
		workloads.forEach((service, address) -> this.workloads.put(service, new Workload(
				address.getScheme() + "://" + address.getHost() + ":" + address.getPort(),
				metrics.meters(Direction.INBOUND, SOURCE, "default", service))));
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
		exchange.destination(service, workload.meters);
		exchange.hop(new Hop(service, workload.origin, exchange.forwardTarget(), service, false, null));
		return Verdict.NEXT;
	}

	private record Workload(String origin, RouteMeters meters) {
	}
}
