package io.meshgate.proxy.transport.reactor;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;

import io.meshgate.model.Retries.RetryOn;
import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.core.Decision;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Framing;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.MeshHeaders;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Protocol;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.RequestIds;
import io.meshgate.proxy.mirror.MirrorSender;
import io.meshgate.proxy.mirror.Mirrored;
import io.meshgate.proxy.tls.MeshTls;
import io.meshgate.proxy.tls.TlsHandshakes;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.limits.UpstreamLimits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.channel.AbortedException;
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
 * The reactor-netty transport: what the HTTP/1.1 relay hands over (HTTP/2 and gRPC, WebSocket, HTTP/1.0,
 * {@code Expect: 100-continue}). It runs the listener's {@link Pipeline} like the relay, then forwards one request to
 * its upstream and the response back, both bodies streamed buffer by buffer (never held whole), over pooled
 * keep-alive connections, and reports the response head and the end on the {@link Exchange}. HTTP/2 requests go
 * upstream as HTTP/2 with their trailers (gRPC); WebSocket upgrades become a frame relay.
 * <p>
 * The service timeout is a deadline for the response head, as in the relay: a response that streams (a download,
 * a gRPC server stream, a WebSocket session) is never cut by it. A caller that cancels, resets its stream or leaves
 * ends the exchange as {@code cancelled}, which is not the endpoint's failure, and is logged at DEBUG only.
 */
public final class Forwarder implements MirrorSender {

	private static final Log logger = LogFactory.getLog(Forwarder.class);

	/** Shadow copies in flight at most, from this forwarder: beyond, copies are dropped rather than queued. */
	static final int MAX_MIRRORS_IN_FLIGHT = 256;

	/** The longest a copy may take when its service has no timeout. */
	private static final Duration MIRROR_TIMEOUT = Duration.ofSeconds(10);

	private final AtomicInteger mirrorsInFlight = new AtomicInteger();

	private final HttpClient http1;

	private final HttpClient h2c;

	private final HttpClient https;

	private final HttpClient h2;

	private final TlsHandshakes handshakes;

	/** To other nodes' inbound listeners over mutual TLS; {@code null} for a proxy without a mesh identity. */
	private final HttpClient mesh1;

	private final HttpClient mesh2;

	/**
	 * Upstream keep-alive connections, bounded per endpoint by {@code limits}: beyond its connections and waiting
	 * requests a request fails at once, answered 503 {@code overloaded}, instead of queueing without bound. Idle
	 * connections close after 30 s.
	 */
	public static ConnectionProvider upstreamPool(String name, UpstreamLimits limits) {
		return ConnectionProvider.builder(name)
			.maxConnections(limits.maxConnections())
			.pendingAcquireMaxCount(limits.maxPending())
			.maxIdleTime(Duration.ofSeconds(30))
			.build();
	}

	/**
	 * @param loops the event loops of the listeners calling it, so a request stays on its caller's thread;
	 *              {@code null}: reactor-netty's shared ones (the gateway's: Spring Boot's server runs on them too)
	 * @param tls     trust and hostname verification for {@code https://} upstreams
	 * @param meshTls mutual TLS to other nodes of the mesh; {@code null}: plain text to them (no mesh identity)
	 */
	public Forwarder(ConnectionProvider connections, Duration connectTimeout, LoopResources loops, UpstreamTls tls,
			MeshTls meshTls) {
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
		this.handshakes = tls.handshakes();
		// a secure connection is "connected" once its handshake succeeded; a failed one fails the request (failed())
		this.https = http1.secure(spec -> spec.sslContext(tls.context()))
			.doOnConnected(connection -> handshakes.succeeded());
		this.h2 = http1.protocol(HttpProtocol.H2)
			.secure(spec -> spec.sslContext(tls.http2()))
			.doOnConnected(connection -> handshakes.succeeded());
		this.mesh1 = meshTls == null ? null : http1.secure(spec -> spec.sslContext(meshTls.client(false)))
			.doOnConnected(connection -> handshakes.succeeded());
		this.mesh2 = meshTls == null ? null : http1.protocol(HttpProtocol.H2)
			.secure(spec -> spec.sslContext(meshTls.client(true)))
			.doOnConnected(connection -> handshakes.succeeded());
	}

	/** The upstream as reactor-netty is told it: {@code https} for another node, which it reaches over mutual TLS. */
	private static String upstreamUri(Hop hop, boolean mutual) {
		return mutual && hop.upstream().startsWith("http:") ? "https:" + hop.upstream().substring(5) : hop.upstream();
	}

	/**
	 * Sends a shadow copy (a route's {@code mirror}) over the same pools and mutual TLS as real calls, and forgets it:
	 * its answer is read and dropped, its endpoint told how it went, its outcome counted. Bounded: beyond
	 * {@link #MAX_MIRRORS_IN_FLIGHT} copies in flight a copy is dropped at once, so a slow mirror service can hold no
	 * more than that, and the request it copies never waits for it.
	 */
	@Override
	public void send(HttpMethod method, HttpHeaders headers, Mirrored mirror) {
		if (mirrorsInFlight.incrementAndGet() > MAX_MIRRORS_IN_FLIGHT) {
			mirrorsInFlight.decrementAndGet();
			mirror.meters().dropped();
			return;
		}
		Hop hop = mirror.hop();
		boolean mutual = hop.mesh() && mesh1 != null;
		HttpClient client = mutual ? mesh1 : hop.secure() ? https : http1;
		EndpointStats endpoint = mirror.endpoint();
		endpoint.started();
		long start = System.nanoTime();
		client.headers(outgoing -> outgoing.set(headers))
			.request(method)
			.uri(upstreamUri(hop, mutual) + hop.pathAndQuery())
			.response((answer, body) -> body.then(Mono.just(answer.status().code())))
			.next()
			.timeout(hop.timeout() != null ? hop.timeout() : MIRROR_TIMEOUT)
			.doFinally(signal -> mirrorsInFlight.decrementAndGet())
			.subscribe(status -> {
				endpoint.completed(status < 500, System.nanoTime() - start);
				mirror.meters().sent();
			}, failure -> {
				endpoint.completed(false, System.nanoTime() - start);
				mirror.meters().failed();
			});
	}

	/** Runs the pipeline for a request reactor-netty read, then forwards or answers it. */
	public Mono<Void> handle(HttpServerRequest request, HttpServerResponse response, Pipeline pipeline) {
		Exchange exchange = exchange(request, pipeline);
		Decision decision = pipeline.decide(exchange, eventLoop(request));
		if (decision == Decision.PASS) {
			return response.status(HttpResponseStatus.NOT_FOUND).send();
		}
		return serve(request, response, exchange, decision);
	}

	/** The request's head, read once, and its exchange in {@code pipeline}. */
	public static Exchange exchange(HttpServerRequest request, Pipeline pipeline) {
		return pipeline.exchange(protocol(request), request.method(), request.uri(), request.requestHeaders(),
				request.remoteAddress(), MeshTls.peerOf(((Connection) request).channel()));
	}

	public static java.util.concurrent.Executor eventLoop(HttpServerRequest request) {
		return ((Connection) request).channel().eventLoop();
	}

	/** Carries out a decision of the pipeline: forward, answer, or wait for a late step first. */
	public Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, Exchange exchange,
			Decision decision) {
		return switch (decision) {
			case FORWARD -> forward(request, response, exchange);
			case ANSWER -> answer(response, exchange, exchange.answer());
			case PENDING -> Mono.fromCompletionStage(exchange.decided())
				.flatMap(late -> serve(request, response, exchange, late))
				.doOnCancel(() -> exchange.end(Outcome.CANCELLED));
			case PASS -> answer(response, exchange, ProxyError.internal("a late step passed the request"));
		};
	}

	private Mono<Void> forward(HttpServerRequest request, HttpServerResponse response, Exchange exchange) {
		if (isWebsocketUpgrade(request.requestHeaders())) {
			return relayWebsocket(request, response, exchange);
		}
		Hop hop = exchange.hop();
		// HTTP/1.1 announces a body with Content-Length or Transfer-Encoding; an HTTP/2 stream may carry one without
		boolean hasBody = request.version().majorVersion() == 2
				|| request.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH)
				|| request.requestHeaders().contains(HttpHeaderNames.TRANSFER_ENCODING);
		ReplayableBody body = new ReplayableBody(request, exchange, hasBody);
		Mono<Void> tries = send(request, response, exchange, hop, body);
		if (hop.timeout() != null) {
			// the deadline for the response head runs from the end of the request, so a long upload is not cut by
			// it, and covers every try
			tries = tries.timeout(headDeadline(body.sent(), hop.timeout(), exchange));
		}
		return tries.doOnSuccess(done -> exchange.end(Outcome.SUCCESS))
			.onErrorResume(failure -> failed(request, response, exchange, exchange.hop(), failure))
			.doOnCancel(() -> exchange.end(Outcome.CANCELLED))
			.doFinally(signal -> body.release());
	}

	/**
	 * One try along {@code hop}, and the next ones while the exchange's retry policy grants them: a try that fails
	 * before its response reached the caller (it could not connect, was reset, timed out, or answered a status the
	 * policy retries) goes again after the backoff, on the endpoint {@link Exchange#retryAfter} picked.
	 */
	private Mono<Void> send(HttpServerRequest request, HttpServerResponse response, Exchange exchange, Hop hop,
			ReplayableBody body) {
		boolean http2 = request.version().majorVersion() == 2;
		boolean mutual = hop.mesh() && mesh1 != null;
		HttpClient client = mutual ? (http2 ? mesh2 : mesh1)
				: hop.secure() ? (http2 ? h2 : https) : (http2 ? h2c : http1);
		Mono<Void> call = client.headers(outgoing -> {
			MeshHeaders.copyEndToEnd(request.requestHeaders(), outgoing);
			exchange.forwardedHeaders(outgoing, request.scheme());
			hop.applyTo(outgoing);
		})
			.request(request.method())
			.uri(upstreamUri(hop, mutual) + hop.pathAndQuery())
			.send((outgoing, out) -> {
				Publisher<ByteBuf> parts = body.forTry();
				return parts == null ? out : out.send(parts);
			})
			.response((upstreamResponse, upstreamBody) -> {
				int code = upstreamResponse.status().code();
				Hop next = exchange.retryAfter(code, upstreamResponse.responseHeaders(), body.replayable());
				if (next != null) {
					return Mono.error(new Retry(next)); // this answer is dropped with its connection
				}
				if (http2 && exchange.head().protocol().isGrpc() && exchange.mayRetry(RetryOn.UNAVAILABLE)) {
					// a gRPC UNAVAILABLE that another node's agent relays comes as a head, then trailers with no
					// message between (a trailers-only answer cannot be sent again as one): the head waits for the
					// first message or the trailers, so that such an answer is retried like a direct one
					return upstreamBody.retain().switchOnFirst((first, parts) -> {
						if (first.hasValue() || first.isOnError()) {
							return relay(request, response, exchange, hop, true, upstreamResponse, parts);
						}
						return upstreamResponse.trailerHeaders()
							.defaultIfEmpty(EmptyHttpHeaders.INSTANCE)
							.flatMap(trailers -> {
								Hop again = exchange.retryAfter(code, trailers, body.replayable());
								return again != null ? Mono.error(new Retry(again))
										: relay(request, response, exchange, hop, true, upstreamResponse, parts);
							});
					});
				}
				return relay(request, response, exchange, hop, http2, upstreamResponse, upstreamBody.retain());
			})
			.then();
		Duration perTry = exchange.perTryTimeout();
		if (perTry != null) {
			call = call.timeout(headDeadline(body.sent(), perTry, exchange), Mono.error(TryTimedOut::new));
		}
		return call.onErrorResume(failure -> {
			Hop next = failure instanceof Retry retry ? retry.next : retryAfter(request, response, exchange, hop, body,
					failure);
			if (next == null) {
				return Mono.error(failure);
			}
			return Mono.delay(Duration.ofNanos(exchange.backoffNanos()))
				.then(Mono.defer(() -> send(request, response, exchange, next, body)));
		});
	}

	/** Relays an upstream's answer, head and body, to the caller: the exchange ends when the caller has it all. */
	private static Mono<Void> relay(HttpServerRequest request, HttpServerResponse response, Exchange exchange, Hop hop,
			boolean http2, HttpClientResponse upstreamResponse, Flux<ByteBuf> body) {
		exchange.responded(upstreamResponse.status().code());
		response.status(upstreamResponse.status());
		MeshHeaders.copyEndToEnd(upstreamResponse.responseHeaders(), response.responseHeaders());
		exchange.via(response.responseHeaders());
		if (http2) {
			relayTrailers(upstreamResponse, response);
		}
		// the exchange ends when the caller has the whole response, whatever the request side does after
		// (an upstream that answered before reading the whole body may then close on it)
		Delivery delivery = new Delivery(((Connection) request).channel(), exchange,
				contentLength(upstreamResponse.responseHeaders()));
		Flux<ByteBuf> parts = body;
		if (hop.idleTimeout() != null) {
			// a stall of the upstream's body past the service's idle-timeout cuts the response (failed())
			parts = parts.timeout(hop.idleTimeout(), Mono.error(StreamIdle::new));
		}
		return response.send(parts.doOnNext(delivery::part).doOnComplete(delivery::upstreamDone))
			.then()
			.doOnSuccess(done -> exchange.end(delivery.outcome()))
			.doOnCancel(() -> exchange.end(delivery.outcome()));
	}

	/** The next try's hop after a try failed with {@code failure}, or {@code null}: the failure is answered. */
	private Hop retryAfter(HttpServerRequest request, HttpServerResponse response, Exchange exchange, Hop hop,
			ReplayableBody body, Throwable failure) {
		if (exchange.hasResponded() || response.hasSentHeaders() || callerGone(request, failure)) {
			return null;
		}
		ProxyError error = failure instanceof TryTimedOut ? ProxyError.timeout(hop.service(), hop.upstream())
				: ProxyError.upstream(hop.service(), hop.upstream(), failure);
		return exchange.retryAfter(error, body.replayable());
	}

	/** A try's answer the retry policy retries: not an error, the signal to go again. */
	private static final class Retry extends RuntimeException {

		private final transient Hop next;

		Retry(Hop next) {
			super(null, null, false, false);
			this.next = next;
		}
	}

	/** The response body stalled past the service's {@code idle-timeout}: cut, counted as a timeout. */
	private static final class StreamIdle extends TimeoutException {

		StreamIdle() {
			super("idle timeout");
		}
	}

	/** The try's own deadline ({@code per-try-timeout}) passed; answered 504 like the service's when not retried. */
	private static final class TryTimedOut extends TimeoutException {

		TryTimedOut() {
			super("per-try timeout");
		}
	}

	/**
	 * Fires once the timeout has passed, counted from the end of the request, without a response head; never after
	 * one, so a response that streams is not cut (reactor-netty's own {@code responseTimeout} limits the time between
	 * reads instead, which cuts an idle gRPC stream). Envoy's route timeout starts at the end of the request too.
	 */
	private static Mono<Long> headDeadline(Mono<Void> requestSent, Duration timeout, Exchange exchange) {
		return requestSent.then(Mono.delay(timeout))
			.flatMap(tick -> exchange.hasResponded() ? Mono.never() : Mono.just(tick));
	}

	private Mono<Void> failed(HttpServerRequest request, HttpServerResponse response, Exchange exchange, Hop hop,
			Throwable failure) {
		if (exchange.hasEnded()) {
			return Mono.empty(); // the caller had the whole response: a late failure of the request side is moot
		}
		if (callerGone(request, failure)) {
			if (logger.isDebugEnabled()) {
				logger.debug("caller left a call to " + hop.service() + ": " + failure);
			}
			exchange.end(Outcome.CANCELLED);
			return Mono.empty();
		}
		if (response.hasSentHeaders()) {
			// mid-body: all that can be done is cutting the caller's stream or connection
			exchange.end(failure instanceof StreamIdle ? Outcome.TIMEOUT : Outcome.UPSTREAM_RESET);
			return Mono.fromRunnable(() -> response.withConnection(Connection::dispose));
		}
		ProxyError error = failure instanceof TimeoutException ? ProxyError.timeout(hop.service(), hop.upstream())
				: ProxyError.upstream(hop.service(), hop.upstream(), failure);
		if (error.outcome() == Outcome.UPSTREAM_TLS) {
			handshakes.failed(failure);
		}
		return answer(response, exchange, error);
	}

	private static boolean callerGone(HttpServerRequest request, Throwable failure) {
		return failure instanceof AbortedException || !((Connection) request).channel().isActive();
		// (an HTTP/2 stream channel closes when its caller resets it; an HTTP/1.1 one with the connection)
	}

	/**
	 * The proxy's own answer: a JSON body, or for a gRPC caller a trailers-only style answer (status 200,
	 * {@code grpc-status} and {@code grpc-message} in the trailers) that gRPC clients read as a status, not as
	 * "invalid content-type". Metrics count the error's HTTP status either way, so one case reads the same on every
	 * transport.
	 */
	static Mono<Void> answer(HttpServerResponse response, Exchange exchange, ProxyError error) {
		exchange.failed(error);
		exchange.responded(error.status().code());
		String requestId = exchange.requestId();
		response.header(RequestIds.HEADER, requestId);
		error.headers().forEach(response::header);
		if (Framing.closesConnection(error)) {
			response.keepAlive(false); // what follows on this connection cannot be trusted to be a request
		}
		Mono<Void> sent;
		if (exchange.head().protocol().isGrpc()) {
			response.status(HttpResponseStatus.OK)
				.header(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
				.trailerHeaders(trailers -> trailers.set("grpc-status", String.valueOf(error.outcome().grpcStatus()))
					.set("grpc-message", GrpcStatus.encodeMessage(error.message())));
			sent = response.send().then();
		}
		else {
			byte[] body = error.json(requestId);
			exchange.responseBytes(body.length);
			sent = response.status(error.status())
				.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
				.sendByteArray(Mono.just(body))
				.then();
		}
		// ended as it is handed over, as the relay does: reactor-netty may cancel a finished answer on a closing connection
		return sent.doFirst(() -> exchange.end(error.outcome()));
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

	/**
	 * Accepts the caller's upgrade, opens a WebSocket to the upstream and relays frames both ways until either side
	 * closes. The caller is upgraded first, so an upstream that refuses ends the session with a close frame rather
	 * than an HTTP error. The session is one exchange: its head is the upstream's handshake, its end the close.
	 */
	private Mono<Void> relayWebsocket(HttpServerRequest request, HttpServerResponse response, Exchange exchange) {
		Hop hop = exchange.hop();
		String protocols = request.requestHeaders().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		// subprotocols only when the caller offered some: the specs refuse null, and "" stalls the handshake
		WebsocketClientSpec.Builder clientSpec = WebsocketClientSpec.builder().handlePing(false);
		WebsocketServerSpec.Builder serverSpec = WebsocketServerSpec.builder().handlePing(false);
		if (protocols != null) {
			clientSpec.protocols(protocols);
			serverSpec.protocols(protocols);
		}
		boolean mutual = hop.mesh() && mesh1 != null;
		HttpClient client = mutual ? mesh1 : hop.secure() ? https : http1;
		return response.sendWebsocket((in, out) -> client.headers(outgoing -> {
			request.requestHeaders().forEach(header -> {
				String name = header.getKey().toLowerCase(Locale.ROOT);
				if (!name.startsWith("sec-websocket-") && !MeshHeaders.isHopByHop(name)) {
					outgoing.add(header.getKey(), header.getValue());
				}
			});
			exchange.forwardedHeaders(outgoing, request.scheme());
			hop.applyTo(outgoing);
		})
			.websocket(clientSpec.build())
			.uri(upstreamUri(hop, mutual).replaceFirst("^http", "ws") + hop.pathAndQuery())
			.handle((upstreamIn, upstreamOut) -> {
				exchange.responded(HttpResponseStatus.SWITCHING_PROTOCOLS.code());
				Mono<Void> toUpstream = upstreamOut.sendObject(in.receiveFrames()
					.doOnNext(frame -> exchange.requestBytes(frame.content().readableBytes()))
					.map(WebSocketFrame::retain)).then();
				Mono<Void> toCaller = out.sendObject(upstreamIn.receiveFrames()
					.doOnNext(frame -> exchange.responseBytes(frame.content().readableBytes()))
					.map(WebSocketFrame::retain)).then();
				return Mono.firstWithSignal(toUpstream, toCaller);
			})
			.then()
			.doOnSuccess(done -> exchange.end(Outcome.SUCCESS))
			.doOnError(failure -> exchange.end(exchange.hasResponded() ? Outcome.UPSTREAM_RESET
					: ProxyError.upstream(hop.service(), hop.upstream(), failure).outcome()))
			.doOnCancel(() -> exchange.end(Outcome.CANCELLED)), serverSpec.build());
	}

	/**
	 * How the relaying of one response body to its caller ended. reactor-netty completes (or cancels) the send in
	 * several cases that look alike: the caller read everything; a caller on HTTP/1.1 left mid-response (parts handed
	 * over after its connection closed); a caller on HTTP/2 reset its stream (the send ends before the upstream's
	 * body did); the upstream side ended after a caller that read a whole Content-Length body closed. Only the caller
	 * leaving before it had the whole response is {@code cancelled}.
	 */
	private static final class Delivery {

		private final Channel caller;

		private final Exchange exchange;

		private final long length;

		private volatile boolean cut;

		private volatile boolean upstreamDone;

		Delivery(Channel caller, Exchange exchange, long length) {
			this.caller = caller;
			this.exchange = exchange;
			this.length = length;
		}

		void part(io.netty.buffer.ByteBuf buffer) {
			exchange.responseBytes(buffer.readableBytes());
			if (!caller.isActive()) {
				cut = true;
			}
		}

		void upstreamDone() {
			upstreamDone = true;
		}

		Outcome outcome() {
			if (cut) {
				return Outcome.CANCELLED;
			}
			boolean whole = upstreamDone || (length >= 0 && exchange.responseBytes() >= length);
			return whole || caller.isActive() ? Outcome.SUCCESS : Outcome.CANCELLED;
		}
	}

	/** The announced body length, or -1 (none, or not a number: the codec refuses the latter anyway). */
	private static long contentLength(HttpHeaders headers) {
		String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
		try {
			return value == null ? -1 : Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	static boolean isWebsocketUpgrade(HttpHeaders headers) {
		return "websocket".equalsIgnoreCase(headers.get(HttpHeaderNames.UPGRADE))
				&& headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true);
	}

	private static Protocol protocol(HttpServerRequest request) {
		HttpHeaders headers = request.requestHeaders();
		if (request.version().majorVersion() == 2) {
			String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
			return type != null && type.startsWith("application/grpc") ? Protocol.GRPC : Protocol.HTTP_2;
		}
		if (isWebsocketUpgrade(headers)) {
			return Protocol.WEBSOCKET;
		}
		return request.version().minorVersion() == 0 ? Protocol.HTTP_1_0 : Protocol.HTTP_1_1;
	}
}
