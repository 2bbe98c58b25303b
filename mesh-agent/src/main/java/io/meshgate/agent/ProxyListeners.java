package io.meshgate.agent;
import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.proxy.balancer.RoutingTableHolder;
import io.meshgate.proxy.forward.Forwarder;
import io.meshgate.proxy.forward.HopRouter;
import io.meshgate.proxy.relay.Http1Relay;
import io.meshgate.proxy.relay.UpstreamPool;
import io.meshgate.agent.inbound.InboundProxy;
import io.meshgate.agent.outbound.OutboundProxy;
import io.netty.channel.ChannelOption;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The data-plane listeners: outbound (local apps → mesh) and inbound (mesh → local workloads), plain reactor-netty
 * servers sharing one pooled client. HTTP/1.1 and cleartext HTTP/2 with prior knowledge.
 */
public class ProxyListeners {

	private static final Log logger = LogFactory.getLog(ProxyListeners.class);

	private final AgentProperties properties;

	private final RoutingTableHolder tables;

	private static final String DECODING_ERRORS = "meshgate.decodingErrors";

	private final ConnectionProvider connections = Forwarder.upstreamPool("meshgate-upstream");

	private final UpstreamPool relayPool;

	/**
	 * The event loops every listener and upstream connection of the agent runs on (the admin port too): with one,
	 * a request never changes threads between its caller and its upstream, which saves a wake-up per hop.
	 */
	private final LoopResources loops;

	private DisposableServer outbound;

	private DisposableServer inbound;

	public ProxyListeners(AgentProperties properties, RoutingTableHolder tables) {
		this.properties = properties;
		this.tables = tables;
		this.loops = LoopResources.create("meshgate-io", Math.max(1, properties.eventLoops()), true);
		this.relayPool = new UpstreamPool(properties.connectTimeout(), 256, Duration.ofSeconds(30));
	}

	public LoopResources loops() {
		return loops;
	}

	public void start() {
		Forwarder forwarder = new Forwarder(connections, properties.connectTimeout(), loops);
		OutboundProxy outboundProxy = new OutboundProxy(tables, forwarder);
		InboundProxy inboundProxy = new InboundProxy(properties.node(), properties.workloads(), forwarder);
		outbound = bind(properties.outboundPort(), outboundProxy).handle(outboundProxy::handle).bindNow();
		inbound = bind(properties.inboundPort(), inboundProxy).handle(inboundProxy::handle).bindNow();
		logger.info("Node " + properties.node() + ": outbound on " + properties.bind() + ":" + outbound.port()
				+ ", inbound on " + properties.bind() + ":" + inbound.port() + ", fronting " + properties.workloads());
	}

	/** Plain HTTP/1.1 takes the relay; the rest (HTTP/2, WebSocket, ...) the listener's reactor-netty handler. */
	private HttpServer bind(int port, HopRouter router) {
		return listener(properties.bind(), port, (int) properties.maxHeaderSize().toBytes())
			.doOnChannelInit((observer, channel, remote) -> {
				if (channel.pipeline().get(DECODING_ERRORS) != null) {
					channel.pipeline().addBefore(DECODING_ERRORS, "meshgate.relay", new Http1Relay(router, relayPool));
				}
			})
			.runOn(loops);
	}

	/** A data-plane listener's settings, one place for both directions. */
	public static HttpServer listener(String host, int port, int maxHeaderSize) {
		return HttpServer.create()
			.host(host)
			.port(port)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.httpRequestDecoder(spec -> spec.maxHeaderSize(maxHeaderSize))
			.doOnChannelInit((observer, channel, remote) -> {
				// right before the handler that answers decoding failures, so its answers pass through ours
				if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
					channel.pipeline().addBefore(NettyPipeline.HttpTrafficHandler, DECODING_ERRORS,
							DecodingErrorBodies.INSTANCE);
				}
			})
			.accessLog(false);
	}

	public int outboundPort() {
		return outbound.port();
	}

	public int inboundPort() {
		return inbound.port();
	}

	public void stop() {
		if (outbound != null) {
			outbound.disposeNow();
		}
		if (inbound != null) {
			inbound.disposeNow();
		}
		connections.dispose();
		relayPool.close();
		loops.dispose();
	}

	public boolean isRunning() {
		return outbound != null && !outbound.isDisposed();
	}
}
