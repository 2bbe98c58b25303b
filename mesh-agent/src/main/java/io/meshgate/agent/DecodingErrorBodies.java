package io.meshgate.agent;

import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.RequestIds;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Gives the answers reactor-netty writes itself for requests it cannot decode (malformed: 400, request line too long:
 * 414, headers too large: 431) the same JSON body as the agent's own errors. They are the only responses without a
 * content type and without a body, so nothing else is touched.
 */
@ChannelHandler.Sharable
public final class DecodingErrorBodies extends ChannelOutboundHandlerAdapter {

	public static final DecodingErrorBodies INSTANCE = new DecodingErrorBodies();

	private DecodingErrorBodies() {
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) throws Exception {
		if (message instanceof FullHttpResponse response && !response.content().isReadable()
				&& !response.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
			ProxyError error = describe(response.status());
			if (error != null) {
				String requestId = RequestIds.next();
				FullHttpResponse withBody = new DefaultFullHttpResponse(response.protocolVersion(), response.status(),
						Unpooled.wrappedBuffer(error.json(requestId)), response.headers().copy(),
						response.trailingHeaders().copy());
				withBody.headers()
					.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
					.set(RequestIds.HEADER, requestId)
					.set(HttpHeaderNames.CONTENT_LENGTH, withBody.content().readableBytes());
				response.release();
				ctx.write(withBody, promise);
				return;
			}
		}
		ctx.write(message, promise);
	}

	private static ProxyError describe(HttpResponseStatus status) {
		return switch (status.code()) {
			case 400 -> new ProxyError(status, Outcome.BAD_REQUEST, "the request is not valid HTTP");
			case 414 -> new ProxyError(status, Outcome.URI_TOO_LONG, "the request line is too long");
			case 431 -> new ProxyError(status, Outcome.HEADERS_TOO_LARGE,
					"the request headers are larger than this agent accepts (meshgate.agent.max-header-size)");
			default -> null;
		};
	}
}
