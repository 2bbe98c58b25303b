package io.meshgate.proxy.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.meshgate.model.Destination;
import io.meshgate.model.Match;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Cookies;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * East-west routing, a route's {@code match}: the service a local app calls (named by an absolute-form target or
 * Host) is looked up, and the first of its routes whose path prefix and headers match sets the route and its
 * destinations; with none, the call goes to the service itself (route {@code default}). Compiled per config, with
 * every route's and service's metrics resolved.
 */
public final class MatchStep implements Step {

	private final Map<String, List<Compiled>> routesByService;

	private final Map<String, List<WeightedTarget>> defaults;

	private MatchStep(Map<String, List<Compiled>> routesByService, Map<String, List<WeightedTarget>> defaults) {
		this.routesByService = routesByService;
		this.defaults = defaults;
	}

	/** @param source the calling workload for the metrics ({@code unknown} when the node cannot tell) */
	public static MatchStep compile(MeshConfig config, GoldenMetrics metrics, Direction direction, String source) {
		Map<String, List<Compiled>> routes = new HashMap<>();
		for (Route route : config.routes()) {
			Match match = route.match();
			if (match != null) {
				routes.computeIfAbsent(match.service(), s -> new ArrayList<>())
					.add(new Compiled(route.id(), match, targets(route, metrics, direction, source)));
			}
		}
		Map<String, List<WeightedTarget>> defaults = new HashMap<>();
		for (String service : config.services().keySet()) {
			defaults.put(service,
					List.of(new WeightedTarget(service, 100, metrics.meters(direction, source, "default", service))));
		}
		routes.replaceAll((service, list) -> List.copyOf(list));
		return new MatchStep(Map.copyOf(routes), Map.copyOf(defaults));
	}

	/** A route's destinations with their metrics; weight-0 destinations of a split never get traffic. */
	public static List<WeightedTarget> targets(Route route, GoldenMetrics metrics, Direction direction,
			String source) {
		List<WeightedTarget> targets = new ArrayList<>();
		for (Destination destination : route.to()) {
			if (destination.weight() > 0 || route.to().size() == 1) {
				targets.add(new WeightedTarget(destination.service(), destination.weight(),
						metrics.meters(direction, source, route.id(), destination.service())));
			}
		}
		return List.copyOf(targets);
	}

	@Override
	public Verdict apply(Exchange exchange) {
		String service = exchange.head().host();
		if (service == null) {
			return ProxyError
				.badRequest("name the service: an absolute URI (http://inventory/stock/1) or a Host header");
		}
		List<WeightedTarget> itself = defaults.get(service);
		if (itself == null) {
			return ProxyError.unknownService(service);
		}
		List<Compiled> routes = routesByService.get(service);
		if (routes != null) {
			String path = exchange.head().path();
			HttpHeaders headers = exchange.head().headers();
			for (Compiled route : routes) {
				if (route.matches(path, headers)) {
					exchange.route(route.id, route.targets);
					return Verdict.NEXT;
				}
			}
		}
		exchange.route("default", itself);
		return Verdict.NEXT;
	}

	private record Compiled(String id, Match match, List<WeightedTarget> targets) {

		boolean matches(String path, HttpHeaders headers) {
			if (match.pathPrefix() != null && !path.startsWith(match.pathPrefix())) {
				return false;
			}
			for (Map.Entry<String, String> header : match.headers().entrySet()) {
				if (!header.getValue().equals(headers.get(header.getKey()))) {
					return false;
				}
			}
			for (Map.Entry<String, String> cookie : match.cookies().entrySet()) {
				if (!cookie.getValue().equals(Cookies.value(headers, cookie.getKey()))) {
					return false;
				}
			}
			return true;
		}
	}
}
