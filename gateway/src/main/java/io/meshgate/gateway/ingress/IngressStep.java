package io.meshgate.gateway.ingress;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.RequestHead;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;

/**
 * The edge's route step, a route's {@code ingress}: the first model route (in {@code mesh.routes} order) whose path
 * pattern, methods, host and headers match sets the route, its destinations and the target forwarded
 * ({@code strip-prefix} applied to the normalised path). A request no model route matches is passed on to Spring
 * WebFlux (Spring Cloud Gateway's plain routes, then 404). Compiled per config: the route index lives in it.
 */
final class IngressStep implements Step {

	private final IngressTable table;

	IngressStep(IngressTable table) {
		this.table = table;
	}

	IngressTable table() {
		return table;
	}

	@Override
	public Verdict apply(Exchange exchange) {
		RequestHead head = exchange.head();
		IngressRoute route = table.match(head.method().name(), head.path(), head.headers());
		if (route == null) {
			return Verdict.PASS;
		}
		exchange.route(route.id(), route.targets());
		exchange.forwardTarget(stripPrefix(head.pathAndQuery(), route.stripPrefix()));
		return Verdict.NEXT;
	}

	/** The request target without its first {@code parts} path segments, as Spring Cloud Gateway's StripPrefix. */
	static String stripPrefix(String uri, int parts) {
		if (parts == 0) {
			return uri;
		}
		int query = uri.indexOf('?');
		int end = query < 0 ? uri.length() : query;
		int cut = 0;
		for (int i = 0; i < parts; i++) {
			int next = uri.indexOf('/', cut + 1);
			if (next < 0 || next > end) {
				cut = end;
				break;
			}
			cut = next;
		}
		String rest = uri.substring(cut);
		return rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest;
	}
}
