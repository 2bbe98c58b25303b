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
import io.meshgate.proxy.tls.UpstreamTls;

/**
 * Keep-alive connections to upstreams for the HTTP/1.1 relay, kept per event loop: a connection is only ever used by
 * the thread it was opened on, so taking and returning one needs no lock, and a request never changes threads.
 * Bounded: at most {@code maxIdle} idle connections per upstream and loop (more are closed when returned); an idle
 * connection closes after {@code idleTimeout}. Host names resolve without blocking the loop (Netty's DNS resolver,
 * which reads /etc/hosts first); IP literals need no lookup. An {@code https://} upstream gets TLS with SNI and its
 * host name verified against its certificate ({@link UpstreamTls}); a failed handshake fails the exchange, which
 * answers 502 {@code upstream_tls}.
 */
public final class UpstreamPool {

	private final int connectTimeoutMillis;

	private final int maxIdle;

	private final long idleTimeoutMillis;

	private final UpstreamTls tls;

	private final FastThreadLocal<Map<String, Upstream>> upstreams = new FastThreadLocal<>() {
		@Override
		protected Map<String, Upstream> initialValue() {
			return new HashMap<>();
		}
	};

	private volatile DnsAddressResolverGroup epollResolver;

	private volatile DnsAddressResolverGroup nioResolver;

	public UpstreamPool(Duration connectTimeout, int maxIdle, Duration idleTimeout, UpstreamTls tls) {
		this.tls = tls;
		this.connectTimeoutMillis = (int) connectTimeout.toMillis();
		this.maxIdle = maxIdle;
		this.idleTimeoutMillis = idleTimeout.toMillis();
	}

	/** Whether connections can be opened on the event loop of {@code caller} (epoll and NIO transports). */
	static boolean supports(Channel caller) {
		return caller instanceof EpollSocketChannel || caller instanceof NioSocketChannel;
	}

	/** An idle open connection to {@code upstream} on the calling loop, or {@code null}. */
	Channel acquire(String upstream) {
		ArrayDeque<Channel> idle = upstream(upstream).idle;
		Channel channel;
		while ((channel = idle.pollLast()) != null) {
			if (channel.isActive()) {
				return channel;
			}
		}
		return null;
	}

	/** Takes back a connection whose last exchange ended cleanly. */
	void release(String upstream, Channel channel) {
		ArrayDeque<Channel> idle = upstream(upstream).idle;
		if (channel.isActive() && idle.size() < maxIdle) {
			channel.config().setAutoRead(true);
			idle.addLast(channel);
		}
		else {
			channel.close();
		}
	}

	/** Opens a connection to {@code upstream} on the loop and transport of {@code caller}. */
	ChannelFuture connect(Channel caller, String upstream) {
		EventLoop loop = caller.eventLoop();
		InetSocketAddress address = upstream(upstream).address;
		boolean secure = upstream.startsWith("https:");
		boolean epoll = caller instanceof EpollSocketChannel;
		Class<? extends SocketChannel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
		return new Bootstrap().group(loop)
			.channel(type)
			.resolver(resolver(epoll))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
			// small request/response exchanges: Nagle plus delayed ACKs would add tens of milliseconds
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) {
					if (secure) {
						channel.pipeline()
							.addLast(tls.newHandler(channel.alloc(), address.getHostString(), address.getPort()));
					}
					channel.pipeline()
						.addLast(new IdleStateHandler(idleTimeoutMillis, 0, 0, TimeUnit.MILLISECONDS))
						.addLast(new HttpClientCodec())
						.addLast(new UpstreamHandler());
				}
			})
			.connect(address);
	}

	private Upstream upstream(String upstream) {
		Map<String, Upstream> known = upstreams.get();
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

	private static final class Upstream {

		final InetSocketAddress address;

		final ArrayDeque<Channel> idle = new ArrayDeque<>();

		Upstream(InetSocketAddress address) {
			this.address = address;
		}
	}
}
