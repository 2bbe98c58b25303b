package io.meshgate.gateway.ingress;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.server.PathContainer;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import io.meshgate.model.Destination;
import io.meshgate.model.Ingress;
import io.meshgate.model.Route;
import io.meshgate.proxy.core.Cookies;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.routing.MatchStep;
import io.meshgate.proxy.routing.WeightedTarget;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One model route with an ingress, compiled for matching: its path pattern parsed once, its methods upper-cased, the
 * destinations with weight 0 dropped and their metrics resolved. {@code order} is its position in {@code mesh.routes}:
 * the first match wins.
 */
record IngressRoute(String id, int order, PathPattern path, Set<String> methods, String host,
		Map<String, String> headers, Map<String, String> cookies, int stripPrefix, List<Destination> to,
		List<WeightedTarget> targets) {

	/** Requests at the edge come from outside the mesh: the gateway is their source inside it. */
	static final String SOURCE = "gateway";

	private static final AntPathMatcher HOSTS = new AntPathMatcher(".");

	static IngressRoute of(Route route, int order, GoldenMetrics metrics) {
		Ingress ingress = route.ingress();
		List<Destination> to = route.to().size() == 1 ? route.to()
				: route.to().stream().filter(destination -> destination.weight() > 0).toList();
		return new IngressRoute(route.id(), order, PathPatternParser.defaultInstance.parse(ingress.path()),
				ingress.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()),
				ingress.host() == null ? null : ingress.host().toLowerCase(Locale.ROOT), ingress.headers(),
				ingress.cookies(), ingress.stripPrefix(), to, MatchStep.targets(route, metrics, Direction.INGRESS, SOURCE));
	}

	/** The literal segments the pattern starts with, up to its first variable or wildcard: its place in the index. */
	List<String> literalPrefix() {
		String[] segments = path.getPatternString().split("/");
		List<String> literal = new java.util.ArrayList<>();
		for (int i = 1; i < segments.length; i++) {
			String segment = segments[i];
			if (segment.isEmpty() || segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0
					|| segment.indexOf('{') >= 0) {
				break;
			}
			literal.add(segment);
		}
		return literal;
	}

	boolean matches(String method, PathContainer requestPath, HttpHeaders requestHeaders) {
		if (!methods.isEmpty() && !methods.contains(method)) {
			return false;
		}
		if (!path.matches(requestPath)) {
			return false;
		}
		if (host != null && !hostMatches(requestHeaders.get(HttpHeaderNames.HOST))) {
			return false;
		}
		for (Map.Entry<String, String> header : headers.entrySet()) {
			if (!header.getValue().equals(requestHeaders.get(header.getKey()))) {
				return false;
			}
		}
		for (Map.Entry<String, String> cookie : cookies.entrySet()) {
			if (!cookie.getValue().equals(Cookies.value(requestHeaders, cookie.getKey()))) {
				return false;
			}
		}
		return true;
	}

	/** Like Spring Cloud Gateway's Host predicate: the port ignored, {@code *} and {@code **} per dot-separated label. */
	private boolean hostMatches(String requestHost) {
		if (requestHost == null) {
			return false;
		}
		int colon = requestHost.lastIndexOf(':');
		String name = (colon > 0 && requestHost.indexOf(']') < colon ? requestHost.substring(0, colon) : requestHost)
			.toLowerCase(Locale.ROOT);
		return host.equals(name) || HOSTS.match(host, name);
	}
}
