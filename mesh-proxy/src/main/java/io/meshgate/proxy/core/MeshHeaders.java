package io.meshgate.proxy.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.meshgate.model.protocol.MeshApi;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** Header rules both directions share: hop-by-hop headers stay on their hop; the mesh's own header names the service. */
public final class MeshHeaders {

	/** Set by the sending agent (or the gateway): which service on the receiving node the request is for. */
	public static final String SERVICE = MeshApi.SERVICE_HEADER;

	/** RFC 9110 7.6.1, plus the de-facto Proxy-Connection and Keep-Alive. */
	private static final List<AsciiString> HOP_BY_HOP_NAMES = Stream
		.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
				"trailer", "transfer-encoding", "upgrade")
		.map(AsciiString::cached)
		.toList();

	private MeshHeaders() {
	}

	/**
	 * Copies end-to-end headers: drops hop-by-hop ones and those the Connection header names, except
	 * {@code te: trailers}, which gRPC requires end to end (as HTTP/2 allows). Runs twice per request: no regular
	 * expressions, and no lower-cased copies of names.
	 */
	public static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
		List<String> named = namedByConnection(from.get(HttpHeaderNames.CONNECTION));
		for (Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence(); it.hasNext();) {
			Map.Entry<CharSequence, CharSequence> header = it.next();
			CharSequence name = header.getKey();
			if (!isHopByHop(name) && !containsIgnoreCase(named, name)) {
				to.add(name, header.getValue());
			}
			else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)
					&& AsciiString.containsIgnoreCase(header.getValue(), HttpHeaderValues.TRAILERS)) {
				to.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
			}
		}
	}

	/** Extra hop-by-hop names a Connection header lists; "keep-alive" and "close" name none. */
	private static List<String> namedByConnection(String connection) {
		if (connection == null || connection.equalsIgnoreCase("keep-alive") || connection.equalsIgnoreCase("close")) {
			return List.of();
		}
		List<String> named = new ArrayList<>(2);
		for (String token : connection.split(",")) {
			String name = token.trim();
			if (!name.isEmpty()) {
				named.add(name);
			}
		}
		return named;
	}

	private static boolean containsIgnoreCase(List<String> names, CharSequence name) {
		for (int i = 0; i < names.size(); i++) {
			if (AsciiString.contentEqualsIgnoreCase(names.get(i), name)) {
				return true;
			}
		}
		return false;
	}

	public static boolean isHopByHop(CharSequence name) {
		for (AsciiString hop : HOP_BY_HOP_NAMES) {
			if (hop.length() == name.length() && hop.contentEqualsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Removes, in place, what belongs to the hop a message arrived on, for a relay that keeps the message's own framing
	 * (its Transfer-Encoding stays: the body is re-encoded the same way on the next hop).
	 */
	public static void stripHopByHop(HttpHeaders headers) {
		String connection = headers.get(HttpHeaderNames.CONNECTION);
		if (connection != null) {
			for (String name : namedByConnection(connection)) {
				if (!AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
					headers.remove(name);
				}
			}
		}
		boolean trailers = headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
		for (AsciiString hop : HOP_BY_HOP_NAMES) {
			if (!hop.contentEquals(HttpHeaderNames.TRANSFER_ENCODING)) {
				headers.remove(hop);
			}
		}
		if (trailers) {
			headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
		}
	}

}
