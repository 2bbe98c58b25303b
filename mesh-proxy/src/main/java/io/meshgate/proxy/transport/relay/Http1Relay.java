package io.meshgate.proxy.transport.relay;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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
import io.meshgate.proxy.tls.MeshTls;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The HTTP/1.1 fast path of a listener: relays a plain request and its response between the caller's connection and
 * a pooled upstream connection at the level of Netty's HTTP codec. The request and response objects the codecs
 * decoded are sent on as they are (headers edited in place, body buffers passed along, never copied), on the caller's
 * event loop, with no per-request publisher chain. Each request runs the listener's {@link Pipeline}: the relay
 * builds its {@link io.meshgate.proxy.core.RequestHead}, forwards along the hop or answers the pipeline's error, holds the request while a
 * step answers later, and reports the response head and the end on the {@link Exchange} exactly once. What it does
 * not relay (HTTP/1.0, upgrades such as WebSocket and h2c, {@code Expect: 100-continue}, CONNECT, requests the
 * pipeline passes, undecodable requests) goes on to the listener's reactor-netty handlers, and the connection stays
 * with them from then on. {@code https://} upstreams are called over TLS (see {@link UpstreamPool}).
 * <p>
 * One request at a time per connection: requests pipelined behind it wait (reads pause beyond a few). Back-pressure
 * both ways by pausing reads on the side whose peer cannot keep up. Errors answer like the reactor-netty transport's:
 * 502 connect_failed / upstream_reset / upstream_tls, 504 timeout (a deadline for the response head), JSON bodies.
 */
public final class Http1Relay extends ChannelInboundHandlerAdapter implements UpstreamPool.Waiter {

	/** Messages held while a request is in flight or its upstream connects, before reads pause. */
	private static final int MAX_HELD = 16;

	private final Supplier<Pipeline> pipelines;

	private final UpstreamPool pool;

	private ChannelHandlerContext ctx;

	/** Set once a request went to the framework's handlers: the rest of the connection is theirs. */
	private boolean passOn;

	/** How callers reach this listener, for X-Forwarded-Proto. */
	private String scheme = "http";

	/** Messages of requests pipelined behind the one in flight. */
	private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);

	// the exchange in flight (at most one per connection)

	private boolean active;

	private int exchangeId;

	private Exchange exchange;

	/** {@code null} while the relay answers the request itself (an error), or waits for a late step. */
	private Hop hop;

	/** How the exchange ends once both directions are complete. */
	private Outcome outcome;

	private boolean keepAlive;

	private boolean requestDone;

	private boolean responseStarted;

	private boolean responseDone;

	private boolean informational;

	private boolean upstreamKeepAlive;

	private Channel upstream;

	/** Request parts received while the upstream connection opens. */
	private ArrayDeque<Object> unsent;

	private ScheduledFuture<?> deadline;

	// retries (see Exchange#retryAfter): the request as sent, and its body kept while it fits the replay buffer

	/** the request head as the next hop gets it, sent again by a retry */
	private HttpRequest request;

	/** retained duplicates of the body parts received so far; {@code null}: the request will not be sent again */
	private ArrayDeque<HttpContent> replay;

	private int replayBytes;

	private int replayLimit;

	/** counts tries, so an answer meant for an earlier one (a connect completing late) is recognised */
	private int tryId;

	private ScheduledFuture<?> tryDeadline;

	// the service's idle-timeout, once the response streams: one check, rescheduled at most once per timeout

	private ScheduledFuture<?> idleCheck;

	private long lastUpstreamRead;

	/** The upstream whose pool queue the exchange waits in, for a connection under its limit. */
	private String queuedFor;

	/** Whether {@link #queuedFor} is a node of the mesh (mutual TLS), as the hop said when it queued. */
	private boolean queuedMesh;

	/** @param pipelines the listener's current pipeline, read once per request */
	public Http1Relay(Supplier<Pipeline> pipelines, UpstreamPool pool) {
		this.pipelines = pipelines;
		this.pool = pool;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
		passOn = !UpstreamPool.supports(ctx.channel());
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		if (ctx.pipeline().get(SslHandler.class) != null) {
			scheme = "https";
		}
		if (!passOn) {
			// reactor-netty reads on demand; the relay reads whenever nothing holds it back
			ctx.channel().config().setAutoRead(true);
		}
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (passOn) {
			ctx.fireChannelRead(msg);
		}
		else if (!waiting.isEmpty() || (active && requestDone)) {
			waiting.add(msg);
			updateReads();
		}
		else {
			dispatch(msg);
		}
	}

	private void dispatch(Object msg) {
		if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)) {
			start(request);
		}
		else if (msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
			requestContent(content);
		}
		else {
			handOver(msg);
		}
	}

	/** From here on the framework's handlers own the connection, starting with {@code msg}. */
	private void handOver(Object msg) {
		passOn = true;
		ctx.fireChannelRead(msg);
		Object next;
		while ((next = waiting.poll()) != null) {
			ctx.fireChannelRead(next);
		}
	}

	private void start(HttpRequest request) {
		if (!relayable(request)) {
			handOver(request);
			return;
		}
		Pipeline pipeline = pipelines.get();
		Exchange started = pipeline.exchange(Protocol.HTTP_1_1, request.method(), request.uri(), request.headers(),
				(InetSocketAddress) ctx.channel().remoteAddress(), MeshTls.peerOf(ctx.channel()));
		Decision decision = pipeline.decide(started, ctx.executor());
		if (decision == Decision.PASS) {
			handOver(request);
			return;
		}
		active = true;
		exchangeId++;
		exchange = started;
		hop = null;
		outcome = Outcome.SUCCESS;
		requestDone = false;
		responseStarted = false;
		responseDone = false;
		informational = false;
		keepAlive = HttpUtil.isKeepAlive(request);
		if (decision == Decision.PENDING) {
			// a step answers later: the request and its body wait (reads pause beyond a few parts)
			unsent = new ArrayDeque<>(2);
			unsent.add(request);
			int id = exchangeId;
			started.decided().thenAccept(late -> decidedLater(id, late));
		}
		else {
			proceed(decision, request);
		}
	}

	private void decidedLater(int id, Decision decision) {
		if (!active || id != exchangeId) {
			return; // the caller left meanwhile
		}
		HttpRequest request = (HttpRequest) unsent.poll();
		if (decision == Decision.FORWARD) {
			proceed(decision, request);
		}
		else {
			ReferenceCountUtil.release(request);
			releaseUnsent();
			proceed(decision, null);
		}
	}

	private void proceed(Decision decision, HttpRequest request) {
		if (decision != Decision.FORWARD) {
			answer(exchange.answer());
			return;
		}
		hop = exchange.hop();
		prepare(request);
		this.request = request;
		replayLimit = exchange.replayLimit();
		replayBytes = 0;
		if (replayLimit >= 0) {
			replay = new ArrayDeque<>(2);
			if (unsent != null) {
				unsent.forEach(part -> record((HttpContent) part)); // arrived while a step answered later
			}
		}
		if (requestDone) {
			startDeadline(); // the whole request arrived while a step answered later
		}
		send(request);
	}

	/** Sends the request (and what waits of its body) on a pooled connection, or waits for one. */
	private void send(HttpRequest request) {
		tryId++;
		if (requestDone) {
			startTryDeadline();
		}
		Channel pooled = pool.acquire(hop.upstream(), hop.mesh());
		if (pooled != null) {
			bind(pooled);
			upstream.write(request, upstream.voidPromise());
			if (unsent != null) {
				Object part;
				while ((part = unsent.poll()) != null) {
					upstream.write(part, upstream.voidPromise());
				}
				unsent = null;
				upstream.flush();
				updateReads(); // reads paused while parts waited (a step answering later, a retry's backoff)
			}
		}
		else {
			if (unsent == null) {
				unsent = new ArrayDeque<>(2);
			}
			unsent.addFirst(request);
			String target = hop.upstream();
			queuedMesh = hop.mesh();
			switch (pool.admit(target, queuedMesh, this)) {
				case OPEN -> connect(target, queuedMesh);
				case QUEUED -> queuedFor = target;
				case FULL -> {
					String service = hop.service();
					releaseUnsent();
					hop = null;
					answer(ProxyError.overloaded(service, target));
				}
			}
		}
	}

	private void connect(String target, boolean mesh) {
		int id = tryId;
		pool.connect(ctx.channel(), target, mesh)
			.addListener((ChannelFutureListener) f -> connected(f, id, target, mesh));
	}

	/** The pool's answer to the wait: a connection handed over, or leave to open one. */
	@Override
	public boolean ready(Channel channel) {
		if (queuedFor == null || !active || hop == null) {
			return false;
		}
		String target = queuedFor;
		queuedFor = null;
		if (channel == null) {
			connect(target, queuedMesh);
			return true;
		}
		attach(channel);
		return true;
	}

	/** Plain HTTP/1.1; everything else is the framework's. */
	private static boolean relayable(HttpRequest request) {
		HttpHeaders headers = request.headers();
		return request.decoderResult().isSuccess() && request.protocolVersion() == HttpVersion.HTTP_1_1
				&& request.method() != HttpMethod.CONNECT && !headers.contains(HttpHeaderNames.UPGRADE)
				&& !headers.contains(HttpHeaderNames.EXPECT);
	}

	/** The request as the next hop gets it, edited in place. */
	private void prepare(HttpRequest request) {
		HttpHeaders headers = request.headers();
		MeshHeaders.stripHopByHop(headers);
		exchange.forwardedHeaders(headers, scheme);
		hop.applyTo(headers);
		request.setUri(hop.pathAndQuery());
	}

	private void connected(ChannelFuture future, int id, String target, boolean mesh) {
		if (!active || id != tryId || hop == null || upstream != null) {
			// the try ended while connecting (caller gone, timed out, retried): keep the connection for the next one
			if (future.isSuccess()) {
				pool.release(target, mesh, future.channel());
			}
			return;
		}
		if (!future.isSuccess()) {
			upstreamFailed(future.cause());
			return;
		}
		attach(future.channel());
	}

	/** Binds a connection that was not idle at the start and sends what waited for it. */
	private void attach(Channel channel) {
		bind(channel);
		Object part;
		while ((part = unsent.poll()) != null) {
			upstream.write(part, upstream.voidPromise());
		}
		unsent = null;
		upstream.flush();
		updateReads();
	}

	private void bind(Channel channel) {
		upstream = channel;
		((UpstreamHandler) channel.pipeline().last()).relay = this;
	}

	private void requestContent(HttpContent content) {
		boolean last = content instanceof LastHttpContent;
		if (!active) {
			content.release();
			return;
		}
		if (content.decoderResult().isFailure()) {
			badBody(content);
			return;
		}
		if (last) {
			requestDone = true;
			if (hop != null) {
				startDeadline();
				startTryDeadline();
			}
		}
		exchange.requestBytes(content.content().readableBytes());
		if (replay != null && hop != null) {
			record(content);
		}
		if ((hop == null && unsent == null) || responseDone) {
			content.release(); // answered already: the rest of the body has nowhere to go
			if (last) {
				finishIfDone();
			}
		}
		else if (upstream == null) {
			unsent.add(content);
			updateReads();
		}
		else {
			upstream.write(content, upstream.voidPromise());
			if (last) {
				upstream.flush();
			}
			else if (!upstream.isWritable()) {
				upstream.flush();
				updateReads();
			}
		}
	}

	/**
	 * The request's body does not parse (a bad chunk size or chunk framing): the upstream must never see a request
	 * that ends cleanly, so its connection is closed mid-request; the caller gets 400 if nothing was answered yet,
	 * and its connection closes either way.
	 */
	private void badBody(HttpContent content) {
		content.release();
		requestDone = true;
		keepAlive = false;
		dropReplay(); // a request whose body does not parse is never sent again
		releaseUpstream(false);
		releaseUnsent();
		cancelDeadline();
		if (responseStarted) {
			exchange.end(Outcome.BAD_REQUEST);
			ctx.close();
			return;
		}
		hop = null;
		answer(ProxyError.badRequest("the request body's chunked framing is malformed"));
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (upstream != null && !passOn) {
			upstream.flush();
		}
		ctx.fireChannelReadComplete();
	}

	void upstreamRead(Object msg) {
		if (msg instanceof HttpContent content) {
			exchange.responseBytes(content.content().readableBytes());
			if (idleCheck != null) {
				lastUpstreamRead = System.nanoTime();
			}
		}
		if (msg instanceof HttpResponse response) {
			int code = response.status().code();
			informational = code < 200;
			if (!informational && !responseStarted && hop != null) {
				Hop next = exchange.retryAfter(code, response.headers(), replay != null);
				if (next != null) {
					ReferenceCountUtil.release(msg);
					retry(next); // what follows of this response is dropped with its connection
					return;
				}
			}
			if (!informational) {
				dropReplay(); // the caller gets this answer: nothing is sent again
				cancelDeadline();
				startIdleWatch();
				exchange.responded(code);
				upstreamKeepAlive = HttpUtil.isKeepAlive(response);
				HttpHeaders headers = response.headers();
				MeshHeaders.stripHopByHop(headers);
				exchange.via(headers);
				if (!keepAlive) {
					headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
				}
				if (!HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)
						&& code != 204 && code != 304) {
					// the upstream ends its body by closing: the caller's connection stays, so the body is chunked
					HttpUtil.setTransferEncodingChunked(response, true);
				}
			}
			responseStarted = true;
		}
		ctx.write(msg, ctx.voidPromise());
		if (msg instanceof LastHttpContent) {
			if (informational) {
				informational = false;
				return;
			}
			responseDone = true;
			ctx.flush();
			releaseUpstream(requestDone && upstreamKeepAlive);
			finishIfDone();
		}
		else if (!ctx.channel().isWritable() && upstream != null) {
			// pause first: the flush may drain the caller's buffer, and its writability event resumes reading
			upstream.config().setAutoRead(false);
			ctx.flush();
		}
	}

	void upstreamReadComplete() {
		ctx.flush();
	}

	void upstreamWritable() {
		updateReads();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (upstream != null && ctx.channel().isWritable()) {
			upstream.config().setAutoRead(true);
		}
		ctx.fireChannelWritabilityChanged();
	}

	/** The upstream connection failed or closed before the exchange ended ({@code cause} null: it closed). */
	void upstreamFailed(Throwable cause) {
		if (!active || hop == null) {
			return;
		}
		releaseUpstream(false);
		releaseUnsent();
		if (responseStarted) {
			// mid-body: all that can be done is cutting the connection
			cancelDeadline();
			exchange.end(Outcome.UPSTREAM_RESET);
			ctx.close();
			return;
		}
		String service = hop.service();
		String endpoint = hop.upstream();
		ProxyError error = cause == null ? ProxyError.reset(service, endpoint)
				: ProxyError.upstream(service, endpoint, cause);
		Hop next = exchange.retryAfter(error, replay != null);
		if (next != null) {
			retry(next); // the service's timeout keeps running over every try
			return;
		}
		cancelDeadline();
		hop = null;
		answer(error);
	}

	/**
	 * Another try along {@code next}: the failed try's connection is closed (what else it sends is dropped), and after
	 * the backoff the request goes again with the body kept so far; parts still arriving follow it as usual.
	 */
	private void retry(Hop next) {
		releaseUpstream(false);
		releaseUnsent();
		cancelTryDeadline();
		hop = next;
		next.applyTo(request.headers());
		unsent = new ArrayDeque<>(replay.size() + 1);
		for (HttpContent part : replay) {
			unsent.add(part.retainedDuplicate());
		}
		int id = exchangeId;
		ctx.executor().schedule(() -> resend(id, next), exchange.backoffNanos(), TimeUnit.NANOSECONDS);
	}

	private void resend(int id, Hop next) {
		if (active && id == exchangeId && hop == next) { // else answered meanwhile: timed out, or the caller left
			send(request);
		}
	}

	/** Keeps a body part for a retry while the body fits the replay buffer; past it, the request is sent once. */
	private void record(HttpContent content) {
		replayBytes += content.content().readableBytes();
		if (replayBytes > replayLimit) {
			dropReplay();
		}
		else {
			replay.add(content.retainedDuplicate());
		}
	}

	private void dropReplay() {
		if (replay != null) {
			replay.forEach(ReferenceCountUtil::release);
			replay = null;
		}
	}

	/** A try's own deadline ({@code per-try-timeout}), from the end of the request or the try's start after it. */
	private void startTryDeadline() {
		Duration perTry = exchange.perTryTimeout();
		if (perTry != null && tryDeadline == null && hop != null && !exchange.hasResponded()) {
			int id = tryId;
			tryDeadline = ctx.executor().schedule(() -> tryTimedOut(id), perTry.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	/** Watches the response body for a stall longer than the service's {@code idle-timeout}. */
	private void startIdleWatch() {
		Duration idle = hop.idleTimeout();
		if (idle != null && idleCheck == null) {
			lastUpstreamRead = System.nanoTime();
			int id = exchangeId;
			idleCheck = ctx.executor().schedule(() -> checkIdle(id, idle), idle.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	/**
	 * Cuts a response whose upstream sent nothing for the idle timeout: the caller's connection closes (the body
	 * cannot be finished), the exchange ends as {@code timeout}. Time the relay itself paused reading (a slow caller)
	 * is not the upstream's stall.
	 */
	private void checkIdle(int id, Duration idle) {
		idleCheck = null;
		if (!active || id != exchangeId || responseDone || upstream == null) {
			return;
		}
		long now = System.nanoTime();
		if (!upstream.config().isAutoRead()) {
			lastUpstreamRead = now;
		}
		long quiet = now - lastUpstreamRead;
		if (quiet < idle.toNanos()) {
			idleCheck = ctx.executor().schedule(() -> checkIdle(id, idle), idle.toNanos() - quiet,
					TimeUnit.NANOSECONDS);
			return;
		}
		exchange.end(Outcome.TIMEOUT);
		releaseUpstream(false);
		ctx.close();
	}

	private void cancelIdleWatch() {
		if (idleCheck != null) {
			idleCheck.cancel(false);
			idleCheck = null;
		}
	}

	private void cancelTryDeadline() {
		if (tryDeadline != null) {
			tryDeadline.cancel(false);
			tryDeadline = null;
		}
	}

	private void tryTimedOut(int id) {
		if (active && id == tryId && hop != null && !exchange.hasResponded()) {
			tryDeadline = null;
			ProxyError error = ProxyError.timeout(hop.service(), hop.upstream());
			Hop next = exchange.retryAfter(error, replay != null);
			if (next != null) {
				retry(next);
				return;
			}
			releaseUpstream(false);
			releaseUnsent();
			cancelDeadline();
			hop = null;
			answer(error);
		}
	}

	private void timedOut(int id) {
		if (active && id == exchangeId && hop != null && !exchange.hasResponded()) {
			String service = hop.service();
			String endpoint = hop.upstream();
			deadline = null;
			releaseUpstream(false);
			releaseUnsent();
			hop = null;
			answer(ProxyError.timeout(service, endpoint));
		}
	}

	/** The relay's own answer; the rest of the request body is read and dropped. */
	private void answer(ProxyError error) {
		String requestId = exchange.requestId();
		DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, error.status(),
				Unpooled.wrappedBuffer(error.json(requestId)));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
			.set(RequestIds.HEADER, requestId)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
		error.headers().forEach(response.headers()::set);
		if (Framing.closesConnection(error)) {
			keepAlive = false; // what follows on this connection cannot be trusted to be a request
		}
		if (!keepAlive) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		outcome = error.outcome();
		dropReplay();
		cancelTryDeadline();
		exchange.failed(error);
		exchange.responded(error.status().code());
		exchange.responseBytes(response.content().readableBytes());
		responseStarted = true;
		responseDone = true;
		ctx.writeAndFlush(response, ctx.voidPromise());
		finishIfDone();
	}

	/**
	 * The service timeout, a deadline for the response head, runs from the end of the request (as Envoy's route
	 * timeout): a long upload is not cut by it, a response that streams neither.
	 */
	private void startDeadline() {
		if (hop.timeout() != null && deadline == null && !exchange.hasResponded()) {
			int id = exchangeId;
			deadline = ctx.executor().schedule(() -> timedOut(id), hop.timeout().toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	private void cancelDeadline() {
		cancelTryDeadline();
		if (deadline != null) {
			deadline.cancel(false);
			deadline = null;
		}
	}

	/** Detaches the upstream connection: back to the pool when its exchange ended cleanly, else closed. */
	private void releaseUpstream(boolean reusable) {
		Channel channel = upstream;
		if (channel == null) {
			return;
		}
		upstream = null;
		((UpstreamHandler) channel.pipeline().last()).relay = null;
		if (reusable && hop != null) {
			pool.release(hop.upstream(), hop.mesh(), channel);
		}
		else {
			channel.close();
		}
	}

	/** Drops what waits for the upstream connection: request parts, and the place in its pool's queue. */
	private void releaseUnsent() {
		if (queuedFor != null) {
			pool.cancel(queuedFor, queuedMesh, this);
			queuedFor = null;
		}
		if (unsent != null) {
			unsent.forEach(ReferenceCountUtil::release);
			unsent = null;
		}
	}

	/** Ends the exchange once both directions are complete, then serves requests that waited behind it. */
	private void finishIfDone() {
		if (!requestDone || !responseDone) {
			updateReads();
			return;
		}
		if (upstream != null) {
			releaseUpstream(false); // the response ended before the request body: the connection is out of step
		}
		active = false;
		hop = null;
		dropReplay();
		cancelIdleWatch();
		request = null;
		exchange.end(outcome);
		if (!keepAlive) {
			ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			return;
		}
		Object next;
		while (!passOn && !(active && requestDone) && (next = waiting.poll()) != null) {
			dispatch(next);
		}
		updateReads();
	}

	/** Reads pause while too much waits: pipelined requests, parts for a connecting or congested upstream. */
	private void updateReads() {
		if (passOn || !ctx.channel().isActive()) {
			return;
		}
		boolean held = waiting.size() >= MAX_HELD || (unsent != null && unsent.size() >= MAX_HELD)
				|| (upstream != null && !upstream.isWritable());
		ctx.channel().config().setAutoRead(!held);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (active) {
			// the caller left first: its own outcome, never the endpoint's failure
			exchange.end(Outcome.CANCELLED);
			cancelDeadline();
			releaseUpstream(false);
			releaseUnsent();
			dropReplay();
			cancelIdleWatch();
		}
		active = false;
		hop = null;
		waiting.forEach(ReferenceCountUtil::release);
		waiting.clear();
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (passOn) {
			ctx.fireExceptionCaught(cause);
		}
		else {
			ctx.close();
		}
	}
}
