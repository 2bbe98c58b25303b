package io.meshgate.proxy.transport.relay;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.meshgate.proxy.tls.MeshTls;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.limits.UpstreamLimits;

/**
 * Keep-alive connections to upstreams for the HTTP/1.1 relay, kept per event loop: a connection is only ever used by
 * the thread it was opened on, so taking and returning one needs no lock, and a request never changes threads.
 * Bounded: at most {@code maxIdle} idle connections per upstream and loop (more are closed when returned); an idle
 * connection closes after {@code idleTimeout}. Host names resolve without blocking the loop (Netty's DNS resolver,
 * which reads /etc/hosts first); IP literals need no lookup.
 * <p>
 * Each loop holds each upstream to its share of the {@link UpstreamLimits}: at most that many connections open
 * (idle ones included), and that many requests waiting for one, in arrival order; a connection released while
 * requests wait goes straight to the first of them, and a closed one lets the first open a new one. A request beyond
 * both is refused at once, and the relay answers 503 {@code overloaded}. An {@code https://} upstream gets TLS with SNI and its
 * host name verified against its certificate ({@link UpstreamTls}); a failed handshake fails the exchange, which
 * answers 502 {@code upstream_tls}.
 */
public final class UpstreamPool {

	private final int connectTimeoutMillis;

	private final int maxIdle;

	private final long idleTimeoutMillis;

	private final UpstreamTls tls;

	private final int maxOpen;

	private final int maxWaiting;

	private final FastThreadLocal<Map<String, Upstream>> upstreams = newPerLoop();

	/** Other nodes' inbound listeners, over mutual TLS: pooled apart from anything plain at the same address. */
	private final FastThreadLocal<Map<String, Upstream>> meshUpstreams = newPerLoop();

	private final MeshTls meshTls;

	private static FastThreadLocal<Map<String, Upstream>> newPerLoop() {
		return new FastThreadLocal<>() {
			@Override
			protected Map<String, Upstream> initialValue() {
				return new HashMap<>();
			}
		};
	}

	private volatile DnsAddressResolverGroup epollResolver;

	private volatile DnsAddressResolverGroup nioResolver;

	/**
	 * @param meshTls how to reach other nodes of the mesh ({@code null}: this proxy has no mesh identity, and calls
	 *                them in plain text)
	 * @param loops   the event loops sharing the limits: each holds each upstream to its share
	 */
	public UpstreamPool(Duration connectTimeout, int maxIdle, Duration idleTimeout, UpstreamTls tls, MeshTls meshTls,
			UpstreamLimits limits, int loops) {
		this.tls = tls;
		this.meshTls = meshTls;
		this.maxOpen = UpstreamLimits.share(limits.maxConnections(), loops);
		this.maxWaiting = UpstreamLimits.share(limits.maxPending(), loops);
		this.connectTimeoutMillis = (int) connectTimeout.toMillis();
		this.maxIdle = maxIdle;
		this.idleTimeoutMillis = idleTimeout.toMillis();
	}

	/** Whether connections can be opened on the event loop of {@code caller} (epoll and NIO transports). */
	static boolean supports(Channel caller) {
		return caller instanceof EpollSocketChannel || caller instanceof NioSocketChannel;
	}

	/** An idle open connection to {@code upstream} on the calling loop, or {@code null}. */
	Channel acquire(String upstream, boolean mesh) {
		ArrayDeque<Channel> idle = upstream(upstream, mesh).idle;
		Channel channel;
		while ((channel = idle.pollLast()) != null) {
			if (channel.isActive()) {
				return channel;
			}
		}
		return null;
	}

	/** Whether another connection may be opened now ({@link Admission#OPEN}, counted), or the waiter queued. */
	Admission admit(String upstream, boolean mesh, Waiter waiter) {
		Upstream known = upstream(upstream, mesh);
		if (known.open < maxOpen) {
			known.open++;
			return Admission.OPEN;
		}
		if (known.waiting.size() < maxWaiting) {
			known.waiting.addLast(waiter);
			return Admission.QUEUED;
		}
		return Admission.FULL;
	}

	/** The waiter's exchange ended before a connection was free for it. */
	void cancel(String upstream, boolean mesh, Waiter waiter) {
		upstream(upstream, mesh).waiting.remove(waiter);
	}

	/** Takes back a connection whose last exchange ended cleanly: to the first waiter, else idle. */
	void release(String upstream, boolean mesh, Channel channel) {
		Upstream known = upstream(upstream, mesh);
		if (channel.isActive()) {
			Waiter waiter;
			while ((waiter = known.waiting.pollFirst()) != null) {
				if (waiter.ready(channel)) {
					return;
				}
			}
		}
		ArrayDeque<Channel> idle = known.idle;
		if (channel.isActive() && idle.size() < maxIdle) {
			channel.config().setAutoRead(true);
			idle.addLast(channel);
		}
		else {
			channel.close();
		}
	}

	/**
	 * Opens a connection to {@code upstream} on the loop and transport of {@code caller}, once {@link #admit} said
	 * so: when it closes (or fails to open), its place goes to the first waiter.
	 */
	ChannelFuture connect(Channel caller, String upstream, boolean mesh) {
		EventLoop loop = caller.eventLoop();
		Upstream known = upstream(upstream, mesh);
		InetSocketAddress address = known.address;
		boolean mutual = mesh && meshTls != null;
		boolean secure = !mutual && upstream.startsWith("https:");
		boolean epoll = caller instanceof EpollSocketChannel;
		Class<? extends SocketChannel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
		ChannelFuture connecting = new Bootstrap().group(loop)
			.channel(type)
			.resolver(resolver(epoll))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
			// small request/response exchanges: Nagle plus delayed ACKs would add tens of milliseconds
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) {
					if (mutual) {
						channel.pipeline()
							.addLast(meshTls.clientHandler(channel.alloc(), address.getHostString(), address.getPort()));
					}
					else if (secure) {
						channel.pipeline()
							.addLast(tls.newHandler(channel.alloc(), address.getHostString(), address.getPort()));
					}
					channel.pipeline()
						.addLast(new IdleStateHandler(idleTimeoutMillis, 0, 0, TimeUnit.MILLISECONDS))
						.addLast(new HttpClientCodec())
						.addLast(new UpstreamHandler(mutual ? meshTls.upstreamHandshakes() : tls.handshakes()));
				}
			})
			.connect(address);
		connecting.channel().closeFuture().addListener(closed -> closed(known));
		return connecting;
	}

	private void closed(Upstream known) {
		known.open--;
		Waiter waiter;
		while ((waiter = known.waiting.pollFirst()) != null) {
			known.open++;
			if (waiter.ready(null)) {
				return;
			}
			known.open--;
		}
	}

	private Upstream upstream(String upstream, boolean mesh) {
		Map<String, Upstream> known = (mesh ? meshUpstreams : upstreams).get();
		Upstream found = known.get(upstream);
		if (found == null) {
			found = new Upstream(address(upstream));
			known.put(upstream, found);
		}
		return found;
	}

	/** {@code http://host:port} as a socket address: resolved already for an IP literal, by name otherwise. */
	static InetSocketAddress address(String upstream) {
		URI uri = URI.create(upstream);
		String host = uri.getHost();
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
		return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)
				? new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port)
				: InetSocketAddress.createUnresolved(host, port);
	}

	private DnsAddressResolverGroup resolver(boolean epoll) {
		DnsAddressResolverGroup resolver = epoll ? epollResolver : nioResolver;
		if (resolver == null) {
			synchronized (this) {
				Class<? extends DatagramChannel> type = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
				resolver = new DnsAddressResolverGroup(type, DnsServerAddressStreamProviders.platformDefault());
				if (epoll) {
					epollResolver = resolver;
				}
				else {
					nioResolver = resolver;
				}
			}
		}
		return resolver;
	}

	/** Closes the resolvers; connections close with their event loops. */
	public void close() {
		if (epollResolver != null) {
			epollResolver.close();
		}
		if (nioResolver != null) {
			nioResolver.close();
		}
	}

	/** What {@link #admit} allows a request that found no idle connection. */
	enum Admission {
		OPEN, QUEUED, FULL
	}

	/** A request waiting for a connection to an upstream at its limit. */
	interface Waiter {

		/**
		 * Its turn: {@code channel} is a connection handed over, or {@code null} to open one (already counted).
		 * @return false if the request no longer wants it (the pool gives it to the next)
		 */
		boolean ready(Channel channel);
	}

	private static final class Upstream {

		final InetSocketAddress address;

		final ArrayDeque<Channel> idle = new ArrayDeque<>();

		final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

		/** Connections open or opening, idle ones included. */
		int open;

		Upstream(InetSocketAddress address) {
			this.address = address;
		}
	}
}
