package io.meshgate.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The first handler of an inbound listener's connection (Netty's {@link OptionalSslHandler}): a connection that opens
 * with a TLS handshake gets the mesh's server TLS in this handler's place, and the decrypted bytes flow into the same
 * HTTP handlers, relay included, as plain text would; plain text passes through as it came, marked as such by the
 * absence of a peer identity, and the pipeline decides per service whether that is allowed ({@code mesh.mode}). One
 * listener serves both, so a mesh can move to mutual TLS service by service (Istio's PERMISSIVE).
 */
public final class TlsOrPlainText extends OptionalSslHandler {

	private final MeshTls tls;

	private final long handshakeTimeoutMillis;

	/** @param handshakeTimeoutMillis a handshake not done by then closes the connection (slow handshakes hold none) */
	public TlsOrPlainText(MeshTls tls, long handshakeTimeoutMillis) {
		super(tls.serverContext());
		this.tls = tls;
		this.handshakeTimeoutMillis = handshakeTimeoutMillis;
	}

	@Override
	protected SslHandler newSslHandler(ChannelHandlerContext context, SslContext sslContext) {
		SslHandler handler = sslContext.newHandler(context.alloc());
		handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
		handler.handshakeFuture().addListener(done -> {
			if (done.isSuccess()) {
				MeshTls.rememberPeer(context.channel(), handler.engine().getSession());
				tls.inboundHandshakes().succeeded();
			}
			else {
				tls.inboundHandshakes().failed(done.cause());
			}
		});
		return handler;
	}
}
