package io.meshgate.proxy.transport.relay;

import io.meshgate.proxy.tls.TlsHandshakes;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/** The end of an upstream connection's pipeline: hands what the upstream sends to the exchange using it. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

	/** The caller's relay while an exchange uses this connection; {@code null} while it is idle in the pool. */
	Http1Relay relay;

	private final TlsHandshakes handshakes;

	UpstreamHandler(TlsHandshakes handshakes) {
		this.handshakes = handshakes;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (relay != null) {
			relay.upstreamRead(msg);
		}
		else {
			// nothing may arrive on an idle connection: its framing can no longer be trusted
			ReferenceCountUtil.release(msg);
			ctx.close();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (relay != null) {
			relay.upstreamReadComplete();
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (relay != null && ctx.channel().isWritable()) {
			relay.upstreamWritable();
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (relay != null) {
			relay.upstreamFailed(null);
		}
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (relay != null) {
			relay.upstreamFailed(cause);
		}
		ctx.close();
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
		if (event instanceof IdleStateEvent && relay == null) {
			ctx.close();
		}
		else if (event instanceof SslHandshakeCompletionEvent handshake) {
			if (handshake.isSuccess()) {
				handshakes.succeeded();
			}
			else {
				handshakes.failed(handshake.cause());
				if (relay != null) {
					// before the close that follows it, so the exchange learns why: 502 upstream_tls, not upstream_reset
					relay.upstreamFailed(handshake.cause());
				}
			}
		}
	}
}
