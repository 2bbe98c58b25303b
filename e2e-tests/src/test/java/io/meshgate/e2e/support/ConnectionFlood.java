package io.meshgate.e2e.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * What an attacker holds open against a listener, kept up as a real one would: connections that send nothing, and
 * connections that send a request head one byte every 500 ms without ever ending it (slowloris); each one the
 * listener closes is opened again. One event-loop thread drives them all.
 */
public final class ConnectionFlood implements AutoCloseable {

	private static final byte[] HEAD = "GET /api/orders/1 HTTP/1.1\r\nHost: flood\r\nX-Slow: "
		.getBytes(StandardCharsets.US_ASCII);

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final AtomicInteger open = new AtomicInteger();

	/** Closed by the listener (then opened again). */
	private final AtomicInteger closedByPeer = new AtomicInteger();

	private volatile boolean stopping;

	public ConnectionFlood idle(int port, int count) {
		for (int i = 0; i < count; i++) {
			connect(port, false);
		}
		return this;
	}

	public ConnectionFlood slowHeaders(int port, int count) {
		for (int i = 0; i < count; i++) {
			connect(port, true);
		}
		return this;
	}

	public int open() {
		return open.get();
	}

	public int closedByPeer() {
		return closedByPeer.get();
	}

	private void connect(int port, boolean slow) {
		if (stopping) {
			return;
		}
		new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				channel.pipeline().addLast(new Attacker(port, slow));
			}
		}).connect("127.0.0.1", port).addListener(future -> {
			if (!future.isSuccess()) {
				group.schedule(() -> connect(port, slow), 100, TimeUnit.MILLISECONDS);
			}
		});
	}

	@Override
	public void close() {
		stopping = true;
		group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(Duration.ofSeconds(10).toMillis());
	}

	private final class Attacker extends ChannelInboundHandlerAdapter {

		private final int port;

		private final boolean slow;

		private int sent;

		private ScheduledFuture<?> trickle;

		Attacker(int port, boolean slow) {
			this.port = port;
			this.slow = slow;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			open.incrementAndGet();
			if (slow) {
				trickle = ctx.executor().scheduleAtFixedRate(() -> {
					byte next = sent < HEAD.length ? HEAD[sent] : (byte) 'a';
					sent++;
					ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { next }));
				}, 0, 500, TimeUnit.MILLISECONDS);
			}
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ReferenceCountUtil.release(msg); // a 408, or anything else: not read
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			open.decrementAndGet();
			if (trickle != null) {
				trickle.cancel(false);
			}
			if (!stopping) {
				closedByPeer.incrementAndGet();
				connect(port, slow);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}
	}
}
