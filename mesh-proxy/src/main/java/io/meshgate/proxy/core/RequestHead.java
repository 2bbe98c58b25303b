package io.meshgate.proxy.core;

import java.net.InetSocketAddress;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A request as every step sees it, built once by whichever transport read it (the HTTP/1.1 relay, reactor-netty),
 * before any step runs. The raw target is parsed here once: origin-form ({@code /stock/1?x}) or absolute-form
 * ({@code http://inventory/stock/1}, as HTTP proxy clients send it); the authority comes from the latter or from
 * Host (HTTP/2's {@code :authority} arrives as Host). The headers are the transport's own object, not a copy.
 */
public final class RequestHead {

	private final Direction direction;

	private final Protocol protocol;

	private final HttpMethod method;

	private final String rawTarget;

	private final String authority;

	private final String path;

	private final String query;

	private final HttpHeaders headers;

	private final InetSocketAddress client;

	private final String pathError;

	private final String peerIdentity;

	private RequestHead(Direction direction, Protocol protocol, HttpMethod method, String rawTarget, String authority,
			String path, String pathError, String query, HttpHeaders headers, InetSocketAddress client,
			String peerIdentity) {
		this.direction = direction;
		this.protocol = protocol;
		this.method = method;
		this.rawTarget = rawTarget;
		this.authority = authority;
		this.path = path;
		this.pathError = pathError;
		this.query = query;
		this.headers = headers;
		this.client = client;
		this.peerIdentity = peerIdentity;
	}

	public static RequestHead of(Direction direction, Protocol protocol, HttpMethod method, String target,
			HttpHeaders headers, InetSocketAddress client) {
		return of(direction, PathNormaliser.STRICT, protocol, method, target, headers, client, null);
	}

	/**
	 * @param normaliser   the listener's path rules; a path it refuses is kept raw with {@link #pathError()} set
	 * @param peerIdentity the SPIFFE ID the caller's client certificate proved; {@code null} over plain text
	 */
	public static RequestHead of(Direction direction, PathNormaliser normaliser, Protocol protocol, HttpMethod method,
			String target, HttpHeaders headers, InetSocketAddress client, String peerIdentity) {
		String authority;
		String pathAndQuery;
		int scheme = target.indexOf("://");
		if (scheme > 0 && target.charAt(0) != '/') {
			int slash = target.indexOf('/', scheme + 3);
			int end = slash < 0 ? target.length() : slash;
			int query = target.indexOf('?', scheme + 3);
			if (query >= 0 && query < end) {
				end = query;
			}
			authority = target.substring(scheme + 3, end);
			pathAndQuery = end == target.length() ? "/" : target.charAt(end) == '?' ? "/" + target.substring(end)
					: target.substring(end);
		}
		else {
			authority = headers.get(HttpHeaderNames.HOST);
			pathAndQuery = target.isEmpty() ? "/" : target;
		}
		int q = pathAndQuery.indexOf('?');
		String rawPath = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
		String query = q < 0 ? "" : pathAndQuery.substring(q);
		String path;
		String pathError = null;
		try {
			path = normaliser.normalise(rawPath);
		}
		catch (PathNormaliser.InvalidPath invalid) {
			path = rawPath;
			pathError = invalid.getMessage();
		}
		return new RequestHead(direction, protocol, method, target, authority, path, pathError, query, headers,
				client, peerIdentity);
	}

	public Direction direction() {
		return direction;
	}

	public Protocol protocol() {
		return protocol;
	}

	public HttpMethod method() {
		return method;
	}

	/** The request target exactly as the caller sent it. */
	public String rawTarget() {
		return rawTarget;
	}

	/** {@code host[:port]} from the absolute-form target or the Host header; {@code null} when neither names one. */
	public String authority() {
		return authority;
	}

	/** The host of {@link #authority()}, lower-cased, without port or user info; {@code null} when absent. */
	public String host() {
		if (authority == null || authority.isBlank()) {
			return null;
		}
		int at = authority.lastIndexOf('@');
		String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
		int colon = hostPort.lastIndexOf(':');
		boolean port = colon > 0 && !hostPort.endsWith("]") && colon < hostPort.length() - 1;
		for (int i = colon + 1; port && i < hostPort.length(); i++) {
			port = Character.isDigit(hostPort.charAt(i));
		}
		return (port ? hostPort.substring(0, colon) : hostPort).toLowerCase(java.util.Locale.ROOT);
	}

	/** The path every step matches against: normalised once, here (see {@link PathNormaliser}). */
	public String path() {
		return path;
	}

	/** Why the path was refused (the pipeline answers 400 before any step), or {@code null}. */
	public String pathError() {
		return pathError;
	}

	/** The query with its leading {@code ?}, or empty. */
	public String query() {
		return query;
	}

	/** Origin-form target: the normalised path and the query, as forwarded when no step rewrites it. */
	public String pathAndQuery() {
		return query.isEmpty() ? path : path + query;
	}

	public HttpHeaders headers() {
		return headers;
	}

	/** The caller's address, for X-Forwarded-For and, later, per-client limits. */
	public InetSocketAddress client() {
		return client;
	}

	/**
	 * The caller's verified identity, the SPIFFE ID of the client certificate it completed a mutual TLS handshake
	 * with; {@code null} for a caller over plain text. Never taken from a header.
	 */
	public String peerIdentity() {
		return peerIdentity;
	}
}
