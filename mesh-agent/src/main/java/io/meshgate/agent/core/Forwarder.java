package io.meshgate.agent.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * Forwards one request to an upstream and its response back, both bodies streamed buffer by buffer (never held whole),
 * over pooled keep-alive connections. Written once for the outbound and the inbound direction.
 */
public final class Forwarder {

	/** Called when the upstream answered or failed, with the time from send to response headers. */
	public interface Outcome {

		void completed(boolean success, long nanos);
	}

	private final HttpClient client;

	/** one client per timeout value: a client's settings are immutable, and there are few distinct timeouts */
	private final Map<Duration, HttpClient> byTimeout = new ConcurrentHashMap<>();

	public Forwarder(ConnectionProvider connections, Duration connectTimeout) {
		this.client = HttpClient.create(connections)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
			.keepAlive(true);
	}

	/**
	 * @param upstream     scheme, host and port of the next hop
	 * @param pathAndQuery the origin-form request target
	 * @param service      the service called, for error messages
	 * @param timeout      deadline for the response headers; {@code null} for none
	 * @param headers      last changes to the outgoing headers (the mesh's service header)
	 */
	public Mono<Void> forward(HttpServerRequest request, HttpServerResponse response, String upstream,
			String pathAndQuery, String service, Duration timeout, Consumer<HttpHeaders> headers, Outcome outcome) {
		HttpClient target = timeout == null ? client : byTimeout.computeIfAbsent(timeout, client::responseTimeout);
		boolean hasBody = request.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH)
				|| request.requestHeaders().contains(HttpHeaderNames.TRANSFER_ENCODING);
		long started = System.nanoTime();
		java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
		return target.headers(outgoing -> {
			MeshHeaders.copyEndToEnd(request.requestHeaders(), outgoing);
			forwardedFor(request, outgoing);
			headers.accept(outgoing);
		})
			.request(request.method())
			.uri(upstream + pathAndQuery)
			.send((outgoing, out) -> hasBody ? out.send(request.receive().retain()) : out)
			.response((upstreamResponse, body) -> {
				if (reported.compareAndSet(false, true)) {
					outcome.completed(upstreamResponse.status().code() < 500, System.nanoTime() - started);
				}
				response.status(upstreamResponse.status());
				MeshHeaders.copyEndToEnd(upstreamResponse.responseHeaders(), response.responseHeaders());
				return response.send(body.retain());
			})
			.then()
			.onErrorResume(failure -> {
				if (reported.compareAndSet(false, true)) {
					outcome.completed(false, System.nanoTime() - started);
				}
				if (response.hasSentHeaders()) {
					return Mono.error(failure); // mid-body: all we can do is cut the connection
				}
				return ProxyResponses.send(response, ProxyError.upstream(service, upstream, failure));
			});
	}

	private static void forwardedFor(HttpServerRequest request, HttpHeaders outgoing) {
		InetSocketAddress remote = request.remoteAddress();
		if (remote != null) {
			String client = remote.getAddress().getHostAddress();
			String prior = outgoing.get("x-forwarded-for");
			outgoing.set("x-forwarded-for", prior == null ? client : prior + ", " + client);
		}
		if (!outgoing.contains("x-forwarded-proto")) {
			outgoing.set("x-forwarded-proto", request.scheme());
		}
	}
}
