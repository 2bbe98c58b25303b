package io.meshgate.agent;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.agent.inbound.InboundModes;
import io.meshgate.agent.inbound.LocalWorkloadStep;
import io.meshgate.proxy.authz.AuthorizationStep;
import io.meshgate.proxy.ratelimit.RateLimitStep;
import io.meshgate.proxy.ratelimit.RateLimits;
import io.meshgate.proxy.authz.Policies;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.logging.ProxyErrorLog;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.routing.RoutingState;
import io.meshgate.proxy.tls.MeshTls;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.H2cUpgradeRefusal;
import io.meshgate.proxy.transport.Http10Framing;
import io.meshgate.proxy.transport.reactor.Forwarder;
import io.meshgate.proxy.transport.relay.Http1Relay;
import io.meshgate.proxy.transport.limits.ListenerGuard;
import io.meshgate.proxy.transport.limits.ListenerLimits;
import io.meshgate.proxy.transport.limits.UpstreamLimits;
import io.meshgate.proxy.transport.relay.UpstreamPool;
import io.netty.channel.ChannelOption;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The data-plane listeners: outbound (local apps → mesh) and inbound (mesh → local workloads). Each runs its
 * direction's pipeline on both transports: the HTTP/1.1 relay first in the channel, reactor-netty's server behind it
 * for the rest. Outbound's pipeline is the routing state's (east-west {@code match}, {@code to} split, balancing,
 * rebuilt on every config or registry change); inbound's is fixed at start: the local workload (with the mTLS mode),
 * then authorization on the caller's verified identity, which reads the applied config's policies. A node whose
 * workloads call out each through its own port ({@code outbound-ports}) has one more outbound listener per workload,
 * each with its own routing state (its {@code source} in metrics), identity and upstream pools: a connection that
 * presented one workload's certificate is never reused for another's calls.
 */
public class ProxyListeners {

	/** An outbound listener of one workload: its port, routing state and mutual TLS as that workload. */
	public record WorkloadOutbound(String workload, int port, RoutingState state, MeshTls meshTls) {
	}

	/** A started workload listener with the pools only it uses. */
	private record Started(WorkloadOutbound outbound, ConnectionProvider connections, UpstreamPool relayPool,
			DisposableServer server) {
	}

	private final List<WorkloadOutbound> workloadOutbounds;

	private final java.util.List<Started> started = new java.util.ArrayList<>();

	private static final Log logger = LogFactory.getLog(ProxyListeners.class);

	private final AgentProperties properties;

	private final RoutingState outboundState;

	private final Pipeline inboundPipeline;

	private static final String DECODING_ERRORS = "meshgate.decodingErrors";

	private final ConnectionProvider connections;

	private final UpstreamTls tls;

	private final UpstreamPool relayPool;

	/**
	 * The event loops every listener and upstream connection of the agent runs on (the admin port too): with one,
	 * a request never changes threads between its caller and its upstream, which saves a wake-up per hop.
	 */
	private final LoopResources loops;

	private final ListenerGuard outboundGuard;

	private final ListenerGuard inboundGuard;

	private final ListenerGuard adminGuard;

	private DisposableServer outbound;

	private DisposableServer inbound;

	private final MeshTls meshTls;

	/**
	 * @param meshTls the node's mutual TLS: its inbound listener's server side, its calls to other nodes ({@code null}:
	 *                plain text both ways, for tests of the transports alone)
	 * @param modes   which services also take plain-text calls inbound
	 * @param policies the authorization policies of the applied config, enforced inbound
	 */
	public ProxyListeners(AgentProperties properties, RoutingState outboundState, GoldenMetrics metrics,
			MeshTls meshTls, InboundModes modes, Supplier<Policies> policies) {
		this(properties, outboundState, metrics, meshTls, modes, policies, () -> RateLimits.NONE, List.of(),
				ExchangeObserver.NONE);
	}

	/**
	 * @param rateLimits        the services' rate limits of the applied config, kept inbound
	 * @param workloadOutbounds the outbound listeners of {@code outbound-ports}, one per workload
	 * @param telemetry         observes the inbound listener's exchanges besides its metrics (traces, access log)
	 */
	public ProxyListeners(AgentProperties properties, RoutingState outboundState, GoldenMetrics metrics,
			MeshTls meshTls, InboundModes modes, Supplier<Policies> policies, Supplier<RateLimits> rateLimits,
			List<WorkloadOutbound> workloadOutbounds, ExchangeObserver telemetry) {
		this.workloadOutbounds = List.copyOf(workloadOutbounds);
		this.properties = properties;
		this.outboundState = outboundState;
		this.meshTls = meshTls;
		this.inboundPipeline = new Pipeline(Direction.INBOUND, properties.listenerPolicy(),
				List.of(new LocalWorkloadStep(properties.node(), properties.workloads(), metrics, modes),
						new AuthorizationStep(policies), RateLimitStep.forServices(rateLimits)),
				ExchangeObserver.of(List.of(metrics, telemetry, ProxyErrorLog.INSTANCE)),
				metrics.meters(Direction.INBOUND, LocalWorkloadStep.SOURCE, "default", "unknown"));
		this.loops = LoopResources.create("meshgate-io", Math.max(1, properties.eventLoops()), true);
		this.tls = UpstreamTls.of(properties.upstreamTrustCertificates()).countingIn(metrics.registry());
		ListenerLimits limits = properties.listenerLimits();
		UpstreamLimits upstreamLimits = properties.upstreamLimits();
		this.connections = Forwarder.upstreamPool("meshgate-upstream", upstreamLimits);
		this.relayPool = new UpstreamPool(properties.connectTimeout(), 256, Duration.ofSeconds(30), tls, meshTls,
				upstreamLimits, Math.max(1, properties.eventLoops()));
		this.outboundGuard = new ListenerGuard("outbound", limits, metrics.registry());
		this.inboundGuard = new ListenerGuard("inbound", limits, metrics.registry());
		this.adminGuard = new ListenerGuard("admin", limits, metrics.registry());
	}

	/** The admin port's connection limits and deadlines (it runs on these loops, see {@link #loops()}). */
	public ListenerGuard adminGuard() {
		return adminGuard;
	}

	public LoopResources loops() {
		return loops;
	}

	public void start() {
		Forwarder forwarder = new Forwarder(connections, properties.connectTimeout(), loops, tls, meshTls);
		outboundState.mirrorWith(forwarder);
		Supplier<Pipeline> outboundPipeline = outboundState::pipeline;
		Supplier<Pipeline> inbound = () -> inboundPipeline;
		this.outbound = bind(properties.outboundBind(), properties.outboundPort(), outboundPipeline, outboundGuard, null)
			.handle((request, response) -> forwarder.handle(request, response, outboundState.pipeline()))
			.bindNow();
		this.inbound = bind(properties.bind(), properties.inboundPort(), inbound, inboundGuard, meshTls)
			.handle((request, response) -> forwarder.handle(request, response, inboundPipeline))
			.bindNow();
		for (WorkloadOutbound own : workloadOutbounds) {
			ConnectionProvider ownConnections = Forwarder.upstreamPool("meshgate-upstream-" + own.workload(),
					properties.upstreamLimits());
			UpstreamPool ownRelayPool = new UpstreamPool(properties.connectTimeout(), 256, Duration.ofSeconds(30), tls,
					own.meshTls(), properties.upstreamLimits(), Math.max(1, properties.eventLoops()));
			Forwarder ownForwarder = new Forwarder(ownConnections, properties.connectTimeout(), loops, tls,
					own.meshTls());
			RoutingState state = own.state();
			state.mirrorWith(ownForwarder);
			DisposableServer server = bind(properties.outboundBind(), own.port(), state::pipeline, outboundGuard, null,
					ownRelayPool)
				.handle((request, response) -> ownForwarder.handle(request, response, state.pipeline()))
				.bindNow();
			started.add(new Started(own, ownConnections, ownRelayPool, server));
			logger.info("Node " + properties.node() + ": outbound of " + own.workload() + " on "
					+ properties.outboundBind() + ":" + server.port());
		}
		logger.info("Node " + properties.node() + ": outbound on " + properties.outboundBind() + ":" + outbound.port()
				+ ", inbound on " + properties.bind() + ":" + this.inbound.port() + ", fronting "
				+ properties.workloads());
	}

	/**
	 * Plain HTTP/1.1 takes the relay; the rest (HTTP/2, WebSocket, ...) the listener's reactor-netty handler. With
	 * {@code tls}, a connection that starts a TLS handshake gets the mesh's server TLS in front of those same handlers
	 * (so TLS traffic takes the relay too), and plain text passes for the pipeline to judge.
	 */
	private HttpServer bind(String host, int port, Supplier<Pipeline> pipeline, ListenerGuard guard, MeshTls tls) {
		return bind(host, port, pipeline, guard, tls, relayPool);
	}

	private HttpServer bind(String host, int port, Supplier<Pipeline> pipeline, ListenerGuard guard, MeshTls tls,
			UpstreamPool relayPool) {
		long handshakeTimeout = properties.headerTimeout().toMillis();
		return listener(host, port, (int) properties.maxHeaderSize().toBytes())
			.doOnChannelInit((observer, channel, remote) -> {
				if (channel.pipeline().get(DECODING_ERRORS) != null) {
					channel.pipeline().addBefore(DECODING_ERRORS, "meshgate.relay", new Http1Relay(pipeline, relayPool));
				}
				guard.install(channel);
				if (tls != null) {
					channel.pipeline().addFirst("meshgate.tls-or-plain-text", tls.inboundHandler(handshakeTimeout));
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
					H2cUpgradeRefusal.install(channel);
					Http10Framing.install(channel);
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

	/** The bound port of a workload's own outbound listener ({@code outbound-ports}). */
	public int outboundPort(String workload) {
		for (Started listener : started) {
			if (listener.outbound().workload().equals(workload)) {
				return listener.server().port();
			}
		}
		throw new IllegalArgumentException("no outbound listener of workload '" + workload + "'");
	}

	public void stop() {
		for (Started listener : started) {
			listener.server().disposeNow();
			listener.connections().dispose();
			listener.relayPool().close();
		}
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
