package io.meshgate.proxy.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * HTTP/1.0 has no chunked coding (RFC 9112 7): a response to an HTTP/1.0 request whose length is not known goes
 * without {@code Transfer-Encoding} and ends with the connection, so the HTTP codec writes its body as it is.
 * reactor-netty would otherwise chunk it. Right behind the HTTP/1.1 codec of a listener (one instance per channel).
 */
public final class Http10Framing extends ChannelDuplexHandler {

	private static final String NAME = "meshgate.http10Framing";

	private boolean http10;

	/** Behind the channel's HTTP/1.1 codec, when it has one. */
	public static void install(Channel channel) {
		io.netty.channel.ChannelHandlerContext codec = channel.pipeline().context(HttpServerCodec.class);
		if (codec != null && channel.pipeline().get(NAME) == null) {
			channel.pipeline().addAfter(codec.name(), NAME, new Http10Framing());
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest request) {
			http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (http10 && msg instanceof HttpResponse response && HttpUtil.isTransferEncodingChunked(response)) {
			response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		ctx.write(msg, promise);
	}
}
