package io.meshgate.proxy.forward;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Forwards one request to an upstream and its response back, both bodies streamed buffer by buffer (never held whole),
 * over pooled keep-alive connections. HTTP/2 requests go upstream as cleartext HTTP/2 with their trailers (gRPC);
 * WebSocket upgrades become a frame relay. Written once for the outbound and the inbound direction.
 */
public final class Forwarder {

	/** Called when the upstream answered or failed, with the time from send to response headers. */
	public interface Outcome {

		void completed(boolean success, long nanos);
	}

	private final HttpClient http1;

	private final HttpClient h2c;

	/** one client per protocol and timeout: a client's settings are immutable, and there are few distinct timeouts */
	private final Map<Duration, HttpClient> http1ByTimeout = new ConcurrentHashMap<>();

	private final Map<Duration, HttpClient> h2cByTimeout = new ConcurrentHashMap<>();

	/**
	 * Upstream keep-alive connections, bounded: at most 1024 per upstream, and 4096 requests waiting for one before
	 * new ones fail fast instead of queueing without limit. Idle connections close after 30 s.
	 */
	public static ConnectionProvider upstreamPool(String name) {
		return ConnectionProvider.builder(name)
			.maxConnections(1024)
			.pendingAcquireMaxCount(4096)
			.maxIdleTime(Duration.ofSeconds(30))
			.build();
	}

	/** On reactor-netty's shared event loops (the gateway's: Spring Boot's server runs on them too). */
	public Forwarder(ConnectionProvider connections, Duration connectTimeout) {
		this(connections, connectTimeout, null);
	}

	/** @param loops the event loops of the listeners calling it, so a request stays on its caller's thread */
	public Forwarder(ConnectionProvider connections, Duration connectTimeout, LoopResources loops) {
		HttpClient client = HttpClient.create(connections);
		if (loops != null) {
			client = client.runOn(loops);
		}
		this.http1 = client
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
			// small request/response exchanges: Nagle plus delayed ACKs would add tens of milliseconds
			.option(ChannelOption.TCP_NODELAY, true)
			.keepAlive(true);
		this.h2c = http1.protocol(HttpProtocol.H2C);
	}

	/** Answers a routing decision: forwards along the hop, or sends the listener's own error. */
	public Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, Routing routing) {
		if (routing instanceof ProxyError error) {
			return ProxyResponses.send(response, error);
		}
		return forward(request, response, (Hop) routing);
	}

	public Mono<Void> forward(HttpServerRequest request, HttpServerResponse response, Hop hop) {
		if (isWebsocketUpgrade(request.requestHeaders())) {
			return relayWebsocket(request, response, hop);
		}
		boolean http2 = request.version().majorVersion() == 2;
		HttpClient client = client(http2, hop.timeout());
		// HTTP/1.1 announces a body with Content-Length or Transfer-Encoding; an HTTP/2 stream may carry one without
		boolean hasBody = http2 || request.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH)
				|| request.requestHeaders().contains(HttpHeaderNames.TRANSFER_ENCODING);
		Outcome outcome = hop.outcome();
		long started = System.nanoTime();
		AtomicBoolean reported = new AtomicBoolean();
		return client.headers(outgoing -> {
			MeshHeaders.copyEndToEnd(request.requestHeaders(), outgoing);
			MeshHeaders.forwardedFor(outgoing, request.remoteAddress(), request.scheme());
			hop.applyTo(outgoing);
		})
			.request(request.method())
			.uri(hop.upstream() + hop.pathAndQuery())
			.send((outgoing, out) -> hasBody ? out.send(request.receive().retain()) : out)
			.response((upstreamResponse, body) -> {
				if (reported.compareAndSet(false, true)) {
					outcome.completed(upstreamResponse.status().code() < 500, System.nanoTime() - started);
				}
				response.status(upstreamResponse.status());
				MeshHeaders.copyEndToEnd(upstreamResponse.responseHeaders(), response.responseHeaders());
				if (http2) {
					relayTrailers(upstreamResponse, response);
				}
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
				return ProxyResponses.send(response, ProxyError.upstream(hop.service(), hop.upstream(), failure));
			});
	}

	/**
	 * HTTP/2 only (gRPC): trailers arrive with the last body frame, before our response ends; a "trailers-only"
	 * answer carries its status in the only HEADERS frame, which ends the stream, and re-sent its headers and end of
	 * stream come apart, so its status moves into the trailers.
	 */
	private static void relayTrailers(HttpClientResponse upstreamResponse, HttpServerResponse response) {
		HttpHeaders trailersOnly = GrpcStatus.moveOut(response.responseHeaders());
		AtomicReference<HttpHeaders> trailers = new AtomicReference<>();
		upstreamResponse.trailerHeaders().subscribe(trailers::set);
		response.trailerHeaders(out -> {
			if (trailersOnly != null) {
				out.add(trailersOnly);
			}
			HttpHeaders received = trailers.get();
			if (received != null) {
				received.forEach(trailer -> out.add(trailer.getKey(), trailer.getValue()));
			}
		});
	}

	private HttpClient client(boolean http2, Duration timeout) {
		HttpClient base = http2 ? h2c : http1;
		if (timeout == null) {
			return base;
		}
		return (http2 ? h2cByTimeout : http1ByTimeout).computeIfAbsent(timeout, base::responseTimeout);
	}

	/**
	 * Accepts the caller's upgrade, opens a WebSocket to the upstream and relays frames both ways until either side
	 * closes. The caller is upgraded first, so an upstream that refuses ends the session with a close frame rather
	 * than an HTTP error.
	 */
	private Mono<Void> relayWebsocket(HttpServerRequest request, HttpServerResponse response, Hop hop) {
		Outcome outcome = hop.outcome();
		String protocols = request.requestHeaders().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		// subprotocols only when the caller offered some: the specs refuse null, and "" stalls the handshake
		WebsocketClientSpec.Builder clientSpec = WebsocketClientSpec.builder().handlePing(false);
		WebsocketServerSpec.Builder serverSpec = WebsocketServerSpec.builder().handlePing(false);
		if (protocols != null) {
			clientSpec.protocols(protocols);
			serverSpec.protocols(protocols);
		}
		long started = System.nanoTime();
		return response.sendWebsocket((in, out) -> http1.headers(outgoing -> {
			request.requestHeaders().forEach(header -> {
				String name = header.getKey().toLowerCase(Locale.ROOT);
				if (!name.startsWith("sec-websocket-") && !MeshHeaders.isHopByHop(name)) {
					outgoing.add(header.getKey(), header.getValue());
				}
			});
			MeshHeaders.forwardedFor(outgoing, request.remoteAddress(), request.scheme());
			hop.applyTo(outgoing);
		})
			.websocket(clientSpec.build())
			.uri(hop.upstream().replaceFirst("^http", "ws") + hop.pathAndQuery())
			.handle((upstreamIn, upstreamOut) -> {
				outcome.completed(true, System.nanoTime() - started);
				Mono<Void> toUpstream = upstreamOut.sendObject(in.receiveFrames().map(WebSocketFrame::retain)).then();
				Mono<Void> toCaller = out.sendObject(upstreamIn.receiveFrames().map(WebSocketFrame::retain)).then();
				return Mono.firstWithSignal(toUpstream, toCaller);
			})
			.then()
			.doOnError(failure -> outcome.completed(false, System.nanoTime() - started)),
				serverSpec.build());
	}

	static boolean isWebsocketUpgrade(HttpHeaders headers) {
		return "websocket".equalsIgnoreCase(headers.get(HttpHeaderNames.UPGRADE))
				&& headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true);
	}
}
