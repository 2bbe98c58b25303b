package io.meshgate.proxy.core;

import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The HTTP/1.x message rules (RFC 9112) a request must meet before any step sees it, so the proxy and the service
 * behind it can never disagree on where a request ends or which host it is for (request smuggling):
 * <ul>
 * <li>exactly one {@code Host} on HTTP/1.1, at most one on HTTP/1.0: else 400;</li>
 * <li>a {@code Transfer-Encoding} whose codings are not exactly {@code chunked}: 501 (the proxy relays no other
 * coding), and any {@code Transfer-Encoding} on HTTP/1.0: 400.</li>
 * </ul>
 * Several or malformed {@code Content-Length} values and bad chunk framing are refused by Netty's HTTP decoder
 * before a head exists (400; a bad chunk after the head aborts the exchange upstream); with both
 * {@code Transfer-Encoding: chunked} and {@code Content-Length} the decoder drops the latter, as RFC 9112 6.3 allows,
 * so only chunked framing is ever forwarded. Each refusal closes the caller's connection: its bytes cannot be trusted.
 */
public final class Framing {

	private Framing() {
	}

	/** @return why the request is refused, or {@code null} */
	public static ProxyError check(RequestHead head) {
		Protocol protocol = head.protocol();
		if (protocol == Protocol.HTTP_2 || protocol == Protocol.GRPC) {
			return null; // HTTP/2 frames its own messages; :authority arrives as Host
		}
		HttpHeaders headers = head.headers();
		List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
		if (hosts.size() > 1) {
			return refused(HttpResponseStatus.BAD_REQUEST, "more than one Host header");
		}
		if (hosts.isEmpty() && protocol != Protocol.HTTP_1_0) {
			return refused(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs a Host header");
		}
		List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
		if (codings.isEmpty()) {
			return null;
		}
		if (protocol == Protocol.HTTP_1_0) {
			return refused(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding on an HTTP/1.0 request");
		}
		for (String value : codings) {
			for (String coding : value.split(",")) {
				if (!coding.trim().equalsIgnoreCase("chunked")) {
					return refused(HttpResponseStatus.NOT_IMPLEMENTED,
							"transfer coding '" + coding.trim() + "' is not supported");
				}
			}
		}
		return null;
	}

	private static ProxyError refused(HttpResponseStatus status, String why) {
		return new ProxyError(status, Outcome.BAD_REQUEST, why);
	}

	/** Whether the caller's connection closes after this answer: a framing refusal leaves it out of step. */
	public static boolean closesConnection(ProxyError error) {
		return error.outcome() == Outcome.BAD_REQUEST;
	}
}
