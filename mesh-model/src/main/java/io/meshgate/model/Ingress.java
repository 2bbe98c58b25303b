package io.meshgate.model;

import java.util.List;
import java.util.Map;

/**
 * The request match of a route at the edge. All given conditions must hold.
 *
 * @param path        path pattern, {@code /api/orders/**} style (Spring {@code PathPattern})
 * @param methods     HTTP methods; empty matches any
 * @param host        host pattern, {@code *.example.com} style; absent matches any
 * @param headers     headers that must be present with exactly these values
 * @param cookies     cookies that must be present with exactly these values (a canary by cookie)
 * @param stripPrefix number of leading path segments removed before forwarding
 */
public record Ingress(String path, List<String> methods, String host, Map<String, String> headers,
		Map<String, String> cookies, Integer stripPrefix) {

	public Ingress {
		methods = Immutables.list(methods);
		headers = Immutables.map(headers);
		cookies = Immutables.map(cookies);
		stripPrefix = stripPrefix == null ? 0 : stripPrefix;
	}
}
