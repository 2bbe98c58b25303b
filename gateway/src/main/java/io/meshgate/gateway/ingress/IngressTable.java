package io.meshgate.gateway.ingress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.server.PathContainer;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The model's ingress routes, indexed by the literal segments their paths start with, so finding a request's route
 * costs the depth of its path rather than the number of routes (Spring Cloud Gateway tests its routes one by one).
 * A request is matched only against the routes on its own path through the index; of those that match, the first
 * in {@code mesh.routes} wins, exactly as if all were tested in order. Immutable: rebuilt when a config applies.
 */
final class IngressTable {

	private static final IngressTable EMPTY = new IngressTable(new Node(), List.of());

	private final Node root;

	private final List<IngressRoute> routes;

	private IngressTable(Node root, List<IngressRoute> routes) {
		this.root = root;
		this.routes = routes;
	}

	static IngressTable empty() {
		return EMPTY;
	}

	static IngressTable of(MeshConfig config) {
		return of(config, GoldenMetrics.none());
	}

	static IngressTable of(MeshConfig config, GoldenMetrics metrics) {
		Node root = new Node();
		List<IngressRoute> all = new ArrayList<>();
		List<Route> routes = config.routes();
		for (int order = 0; order < routes.size(); order++) {
			Route route = routes.get(order);
			if (route.ingress() == null) {
				continue;
			}
			IngressRoute compiled = IngressRoute.of(route, order, metrics);
			Node node = root;
			for (String segment : compiled.literalPrefix()) {
				node = node.children.computeIfAbsent(segment, s -> new Node());
			}
			node.routes.add(compiled); // in order: routes are added as declared
			all.add(compiled);
		}
		return new IngressTable(root, List.copyOf(all));
	}

	/** In declaration order. */
	List<IngressRoute> routes() {
		return routes;
	}

	/** The first route in declaration order that matches, or {@code null}. */
	IngressRoute match(String method, String rawPath, HttpHeaders headers) {
		if (routes.isEmpty()) {
			return null;
		}
		PathContainer path = PathContainer.parsePath(rawPath);
		IngressRoute best = null;
		Node node = root;
		int start = 1; // after the leading '/'
		while (node != null) {
			for (IngressRoute candidate : node.routes) {
				if (best != null && candidate.order() > best.order()) {
					break; // the rest of this node's routes come later still
				}
				if (candidate.matches(method, path, headers)) {
					best = candidate;
					break;
				}
			}
			if (start > rawPath.length()) {
				break;
			}
			int end = rawPath.indexOf('/', start);
			if (end < 0) {
				end = rawPath.length();
			}
			node = node.children.isEmpty() ? null : node.children.get(rawPath.substring(start, end));
			start = end + 1;
		}
		return best;
	}

	private static final class Node {

		final Map<String, Node> children = new HashMap<>();

		final List<IngressRoute> routes = new ArrayList<>();
	}
}
