package io.meshgate.proxy.mirror;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.balancer.ServiceBalancer;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A route's {@code mirror}: picks which requests get a shadow copy and where it goes (an endpoint of the mirror
 * service, balanced like any call), and leaves it on the exchange; {@link Mirroring} sends it when the request itself
 * leaves, so a request answered before that (a fault, a limit, no endpoint) is never copied. Only requests without a
 * body are copied (they can be sent twice without holding the body): GET, HEAD, OPTIONS, DELETE without one.
 * Compiled with each routing snapshot, and only when some route mirrors.
 */
public final class MirrorStep implements Step {

	private static final Set<String> COPIED_METHODS = Set.of("GET", "HEAD", "OPTIONS", "DELETE");

	private final Map<String, Target> byRoute;

	private final RoutingTable table;

	private MirrorStep(Map<String, Target> byRoute, RoutingTable table) {
		this.byRoute = byRoute;
		this.table = table;
	}

	/** The step for {@code config}'s mirroring routes over {@code table}, or {@code null} when no route mirrors. */
	public static MirrorStep compile(MeshConfig config, RoutingTable table, MeterRegistry registry,
			Direction direction) {
		Map<String, Target> byRoute = new HashMap<>();
		for (Route route : config.routes()) {
			if (route.mirror() != null) {
				byRoute.put(route.id(), new Target(route.mirror().service(), route.mirror().percent(),
						new MirrorMeters(registry, direction, route.id(), route.mirror().service())));
			}
		}
		return byRoute.isEmpty() ? null : new MirrorStep(Map.copyOf(byRoute), table);
	}

	@Override
	public Verdict apply(Exchange exchange) {
		Target target = byRoute.get(exchange.route());
		if (target == null || ThreadLocalRandom.current().nextDouble(100) >= target.percent) {
			return Verdict.NEXT;
		}
		HttpHeaders headers = exchange.head().headers();
		if (!COPIED_METHODS.contains(exchange.head().method().name()) || exchange.head().protocol().isGrpc()
				|| headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
				|| headers.getInt(HttpHeaderNames.CONTENT_LENGTH, 0) > 0) {
			target.meters.skipped();
			return Verdict.NEXT;
		}
		ServiceBalancer service = table.service(target.service);
		if (service == null || service.endpoints().isEmpty()) {
			target.meters.dropped();
			return Verdict.NEXT;
		}
		EndpointStats endpoint = service.pick(null);
		exchange.mirror(new Mirrored(new Hop(target.service, endpoint.address(), exchange.forwardTarget(),
				endpoint.hostHeader(), true, service.timeout(), endpoint.isMeshNode()), endpoint, target.meters));
		return Verdict.NEXT;
	}

	private record Target(String service, double percent, MirrorMeters meters) {
	}
}
