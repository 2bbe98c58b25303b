package io.meshgate.proxy.transport.limits;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;

/**
 * Holds one listener to its {@link ListenerLimits}: counts its connections, closes those beyond the cap as they are
 * accepted, and gives each connection its header and idle deadlines ({@link ConnectionDeadlines}). Metrics, labelled
 * {@code listener}: {@code meshgate_listener_connections} (open now), {@code meshgate_listener_connections_refused_total}
 * (closed at accept, over the cap) and {@code meshgate_listener_timeouts_total{kind=header|idle}}.
 */
public final class ListenerGuard {

	static final String RAW = "meshgate.deadlines";

	static final String DECODED = "meshgate.deadlines.decoded";

	private final ListenerLimits limits;

	private final AtomicInteger open = new AtomicInteger();

	private final Counter refused;

	private final Counter headerTimeouts;

	private final Counter idleTimeouts;

	/** @param listener the listener's name in metrics: gateway, outbound, inbound, admin */
	public ListenerGuard(String listener, ListenerLimits limits, MeterRegistry registry) {
		this.limits = limits;
		Gauge.builder("meshgate.listener.connections", open, AtomicInteger::get)
			.description("Connections open on the listener")
			.tag("listener", listener)
			.register(registry);
		this.refused = Counter.builder("meshgate.listener.connections.refused")
			.description("Connections closed as they were accepted: the listener had max-connections open")
			.tag("listener", listener)
			.register(registry);
		this.headerTimeouts = timeouts(registry, listener, "header");
		this.idleTimeouts = timeouts(registry, listener, "idle");
	}

	private static Counter timeouts(MeterRegistry registry, String listener, String kind) {
		return Counter.builder("meshgate.listener.timeouts")
			.description("Connections closed by a deadline: header (408, the request head came too slowly) or idle")
			.tag("listener", listener)
			.tag("kind", kind)
			.register(registry);
	}

	public ListenerLimits limits() {
		return limits;
	}

	/** Open connections now. */
	public int connections() {
		return open.get();
	}

	/**
	 * Installs on a connection the listener accepted, once its pipeline is set up (reactor-netty's
	 * {@code doOnChannelInit}): first after TLS, so it sees each byte as it arrives, and right behind the HTTP/1.1
	 * codec, so it sees where each request head ends and each response ends.
	 */
	public void install(Channel channel) {
		if (channel.pipeline().get(RAW) != null) {
			return;
		}
		if (open.incrementAndGet() > limits.maxConnections()) {
			// not counted as open while it is being refused: the gauge never reads above max-connections
			open.decrementAndGet();
			refused.increment();
			channel.pipeline().addFirst(RAW, Refusal.INSTANCE);
			return;
		}
		channel.closeFuture().addListener(closed -> open.decrementAndGet());
		ConnectionDeadlines deadlines = new ConnectionDeadlines(this);
		ChannelHandlerContext tls = channel.pipeline().context(SslHandler.class);
		if (tls != null) {
			channel.pipeline().addAfter(tls.name(), RAW, deadlines);
		}
		else {
			channel.pipeline().addFirst(RAW, deadlines);
		}
		ChannelHandlerContext codec = channel.pipeline().context(HttpServerCodec.class);
		if (codec != null) {
			channel.pipeline().addAfter(codec.name(), DECODED, deadlines.decoded());
		}
	}

	void headerTimedOut() {
		headerTimeouts.increment();
	}

	void idleTimedOut() {
		idleTimeouts.increment();
	}

	/** Closes a connection over the cap before anything reads from it. */
	@io.netty.channel.ChannelHandler.Sharable
	private static final class Refusal extends io.netty.channel.ChannelInboundHandlerAdapter {

		static final Refusal INSTANCE = new Refusal();

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			ctx.close();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			io.netty.util.ReferenceCountUtil.release(msg);
		}
	}
}
