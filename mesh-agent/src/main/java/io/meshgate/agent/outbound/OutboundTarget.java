package io.meshgate.agent.outbound;

import java.util.Locale;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The service a local app is calling and the origin-form path: from an absolute-form target
 * ({@code GET http://inventory/stock/1}, as sent by HTTP_PROXY clients) or from the Host header.
 *
 * @param service      the called service ({@code null} when the request names none)
 * @param pathAndQuery the origin-form target
 */
record OutboundTarget(String service, String pathAndQuery) {

	static OutboundTarget of(String uri, HttpHeaders headers) {
		String authority;
		String path;
		int scheme = uri.indexOf("://");
		if (scheme > 0 && !uri.startsWith("/")) {
			int slash = uri.indexOf('/', scheme + 3);
			authority = slash < 0 ? uri.substring(scheme + 3) : uri.substring(scheme + 3, slash);
			path = slash < 0 ? "/" : uri.substring(slash);
		}
		else {
			authority = headers.get(HttpHeaderNames.HOST);
			path = uri.isEmpty() ? "/" : uri;
		}
		return new OutboundTarget(host(authority), path);
	}

	private static String host(String authority) {
		if (authority == null || authority.isBlank()) {
			return null;
		}
		int at = authority.lastIndexOf('@');
		String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
		int colon = hostPort.lastIndexOf(':');
		String host = colon > 0 && !hostPort.endsWith("]") ? hostPort.substring(0, colon) : hostPort;
		return host.toLowerCase(Locale.ROOT);
	}

	String path() {
		int query = pathAndQuery.indexOf('?');
		return query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
	}
}
