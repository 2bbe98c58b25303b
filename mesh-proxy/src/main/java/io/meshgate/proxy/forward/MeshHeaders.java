package io.meshgate.proxy.forward;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import io.meshgate.model.protocol.MeshApi;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** Header rules both directions share: hop-by-hop headers stay on their hop; the mesh's own header names the service. */
public final class MeshHeaders {

	/** Set by the sending agent (or the gateway): which service on the receiving node the request is for. */
	public static final String SERVICE = MeshApi.SERVICE_HEADER;

	/** RFC 9110 7.6.1, plus the de-facto Proxy-Connection and Keep-Alive. */
	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
			"proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

	private MeshHeaders() {
	}

	/**
	 * Copies end-to-end headers: drops hop-by-hop ones and those the Connection header names, except
	 * {@code te: trailers}, which gRPC requires end to end (as HTTP/2 allows).
	 */
	public static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
		String connection = from.get(HttpHeaderNames.CONNECTION);
		// a HashSet: a repeated name ("close, close") must not fail the request
		Set<String> named = connection == null ? Set.of()
				: new HashSet<>(Arrays.asList(connection.toLowerCase(Locale.ROOT).split("\\s*,\\s*")));
		from.forEach(header -> {
			String name = header.getKey().toLowerCase(Locale.ROOT);
			if (!HOP_BY_HOP.contains(name) && !named.contains(name)) {
				to.add(header.getKey(), header.getValue());
			}
			else if (name.equals("te") && header.getValue().toLowerCase(Locale.ROOT).contains("trailers")) {
				to.set(HttpHeaderNames.TE, "trailers");
			}
		});
	}

	static boolean isHopByHop(String lowerCaseName) {
		return HOP_BY_HOP.contains(lowerCaseName);
	}
}
