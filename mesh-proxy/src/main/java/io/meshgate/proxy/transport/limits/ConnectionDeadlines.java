package io.meshgate.proxy.transport.limits;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.RequestIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One connection's header and idle deadlines. Two handlers share its state: this one, first in the pipeline (after
 * TLS), sees bytes arrive; {@link #decoded()}, right behind the HTTP/1.1 codec, sees where a request head ends and
 * where each response ends. The connection is in one phase at a time:
 * <ul>
 * <li>{@code IDLE}: no request in flight; closed once {@code idle-timeout} passes;</li>
 * <li>{@code HEAD}: the first bytes of a request arrived, its head has not; 408 and closed once
 * {@code header-timeout} passes;</li>
 * <li>{@code BUSY}: a request is being read or answered: no deadline of this class (the service timeout is the
 * exchange's);</li>
 * <li>{@code H2}: HTTP/2 with prior knowledge: closed once idle for {@code idle-timeout} with no open stream;</li>
 * <li>{@code UPGRADED}: a WebSocket session: its own protocol from now on.</li>
 * </ul>
 * A phase change writes a time, never schedules: one check per connection runs at most every
 * {@code header-timeout} and sleeps exactly to the deadline it is watching, as Netty's {@code IdleStateHandler} does,
 * so a request costs no timer of its own.
 */
final class ConnectionDeadlines extends ChannelInboundHandlerAdapter implements Runnable {

	private enum Phase {
		IDLE, HEAD, BUSY, H2, UPGRADED
	}

	private static final byte[] PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);

	private final ListenerGuard guard;

	private final long headerNanos;

	private final long idleNanos;

	private ChannelHandlerContext ctx;

	private Phase phase = Phase.IDLE;

	/** When the phase began (H2: the last read). */
	private long since;

	private boolean firstRead = true;

	/** Requests whose head was read and whose response has not ended. */
	private int unanswered;

	/** A request's body is still arriving. */
	private boolean reading;

	private ScheduledFuture<?> check;

	/**
	 * The 408 is out: nothing more is read, and the half head the codec holds, which it turns into a failed request
	 * when the connection closes (reactor-netty would log each at WARN), is dropped.
	 */
	private boolean closing;

	ConnectionDeadlines(ListenerGuard guard) {
		this.guard = guard;
		this.headerNanos = guard.limits().headerTimeout().toNanos();
		this.idleNanos = guard.limits().idleTimeout().toNanos();
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
		if (ctx.channel().isActive()) {
			start();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		start();
		ctx.fireChannelActive();
	}

	private void start() {
		if (check == null) {
			since = System.nanoTime();
			schedule(Math.min(headerNanos, idleNanos));
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (closing) {
			ReferenceCountUtil.release(msg);
			return;
		}
		if (firstRead && msg instanceof ByteBuf bytes) {
			firstRead = false;
			if (startsWithPreface(bytes)) {
				phase = Phase.H2;
			}
		}
		if (phase == Phase.IDLE) {
			phase = Phase.HEAD;
			since = System.nanoTime();
		}
		else if (phase == Phase.H2) {
			since = System.nanoTime();
		}
		ctx.fireChannelRead(msg);
	}

	private static boolean startsWithPreface(ByteBuf bytes) {
		int at = bytes.readerIndex();
		if (bytes.readableBytes() < PREFACE.length) {
			return bytes.readableBytes() >= 3 && bytes.getByte(at) == 'P' && bytes.getByte(at + 1) == 'R'
					&& bytes.getByte(at + 2) == 'I';
		}
		for (int i = 0; i < PREFACE.length; i++) {
			if (bytes.getByte(at + i) != PREFACE[i]) {
				return false;
			}
		}
		return true;
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (check != null) {
			check.cancel(false);
		}
		ctx.fireChannelInactive();
	}

	/** The check: acts on the deadline of the phase the connection is in, else sleeps until the next one. */
	@Override
	public void run() {
		check = null;
		if (!ctx.channel().isActive()) {
			return;
		}
		long elapsed = System.nanoTime() - since;
		switch (phase) {
			case HEAD -> {
				if (elapsed >= headerNanos) {
					headerTimedOut();
					return;
				}
				schedule(headerNanos - elapsed);
			}
			case IDLE -> {
				if (elapsed >= idleNanos) {
					idleTimedOut();
					return;
				}
				schedule(Math.min(headerNanos, idleNanos - elapsed));
			}
			case H2 -> {
				if (elapsed >= idleNanos && openStreams() == 0) {
					idleTimedOut();
					return;
				}
				schedule(Math.max(idleNanos - elapsed, headerNanos));
			}
			case BUSY -> schedule(headerNanos);
			case UPGRADED -> {
				// nothing more to watch
			}
		}
	}

	private int openStreams() {
		Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
		return codec == null ? 0 : codec.connection().numActiveStreams();
	}

	private void schedule(long nanos) {
		check = ctx.executor().schedule(this, nanos, TimeUnit.NANOSECONDS);
	}

	/** 408, written below the HTTP codec (which may hold half a head), then closed. */
	private void headerTimedOut() {
		closing = true;
		guard.headerTimedOut();
		ProxyError error = new ProxyError(HttpResponseStatus.REQUEST_TIMEOUT, Outcome.REQUEST_TIMEOUT,
				"the request's header block did not arrive within " + guard.limits().headerTimeout().toMillis() + " ms");
		byte[] body = error.json(RequestIds.next());
		String head = "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: "
				+ body.length + "\r\nconnection: close\r\n\r\n";
		ByteBuf response = ctx.alloc().buffer(head.length() + body.length);
		ByteBufUtil.writeAscii(response, head);
		response.writeBytes(body);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

	private void idleTimedOut() {
		guard.idleTimedOut();
		ctx.close();
	}

	// what the handler behind the HTTP/1.1 codec reports

	private void headRead(HttpRequest request) {
		unanswered++;
		reading = !(request instanceof LastHttpContent);
		phase = Phase.BUSY;
	}

	private void bodyRead() {
		reading = false;
		idleIfDone();
	}

	private void responseWritten(Object msg) {
		if (msg instanceof HttpResponse response && response.status().code() < 200) {
			if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
				phase = Phase.UPGRADED;
			}
			return; // an informational head: the final one is still to come
		}
		if (msg instanceof LastHttpContent && unanswered > 0) {
			unanswered--;
			idleIfDone();
		}
	}

	private void idleIfDone() {
		if (phase == Phase.BUSY && unanswered == 0 && !reading) {
			phase = Phase.IDLE;
			since = System.nanoTime();
		}
	}

	ChannelDuplexHandler decoded() {
		return new Decoded();
	}

	private final class Decoded extends ChannelDuplexHandler {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (closing) {
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpRequest request) {
				headRead(request);
			}
			else if (msg instanceof LastHttpContent) {
				bodyRead();
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			if (msg instanceof HttpResponse || msg instanceof LastHttpContent) {
				responseWritten(msg);
			}
			ctx.write(msg, promise);
		}
	}
}
