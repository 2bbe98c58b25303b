package io.meshgate.proxy.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Listeners speak cleartext HTTP/2 with prior knowledge only: an HTTP/1.1 request offering {@code Upgrade: h2c}
 * (the JDK's HTTP client does by default) is served as the HTTP/1.1 request it is, so it takes the relay. RFC 9113
 * deprecates the h2c upgrade; accepting it turned ordinary HTTP/1.1 clients into HTTP/2 callers whose requests then
 * went on as h2c to services that speak HTTP/1.1 only. Sits right behind the HTTP codec, ahead of reactor-netty's
 * upgrade handler; other upgrades (WebSocket) pass untouched.
 */
@ChannelHandler.Sharable
public final class H2cUpgradeRefusal extends ChannelInboundHandlerAdapter {

	public static final H2cUpgradeRefusal INSTANCE = new H2cUpgradeRefusal();

	private static final String NAME = "meshgate.h2cUpgradeRefusal";

	private static final String HTTP2_SETTINGS = "http2-settings";

	private H2cUpgradeRefusal() {
	}

	/** Behind the channel's HTTP/1.1 codec, when it has one (a connection that began with HTTP/2 has none). */
	public static void install(Channel channel) {
		ChannelHandlerContext codec = channel.pipeline().context(HttpServerCodec.class);
		if (codec != null && channel.pipeline().get(NAME) == null) {
			channel.pipeline().addAfter(codec.name(), NAME, INSTANCE);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest request) {
			withoutH2c(request.headers());
		}
		ctx.fireChannelRead(msg);
	}

	static void withoutH2c(HttpHeaders headers) {
		String upgrade = headers.get(HttpHeaderNames.UPGRADE);
		if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("h2c")) {
			return;
		}
		List<String> others = new ArrayList<>(1);
		for (String token : upgrade.split(",")) {
			String protocol = token.trim();
			if (!protocol.isEmpty() && !protocol.equalsIgnoreCase("h2c")) {
				others.add(protocol);
			}
		}
		headers.remove(HTTP2_SETTINGS);
		if (others.isEmpty()) {
			headers.remove(HttpHeaderNames.UPGRADE);
			String connection = headers.get(HttpHeaderNames.CONNECTION);
			if (connection != null) {
				List<String> kept = new ArrayList<>(2);
				for (String token : connection.split(",")) {
					String option = token.trim();
					if (!option.isEmpty() && !option.equalsIgnoreCase("upgrade")
							&& !option.equalsIgnoreCase("http2-settings")) {
						kept.add(option);
					}
				}
				if (kept.isEmpty()) {
					headers.remove(HttpHeaderNames.CONNECTION);
				}
				else {
					headers.set(HttpHeaderNames.CONNECTION, String.join(", ", kept));
				}
			}
		}
		else {
			headers.set(HttpHeaderNames.UPGRADE, String.join(", ", others));
		}
	}
}
