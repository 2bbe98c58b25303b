package io.meshgate.agent;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.agent.admin.AdminServer;
import io.meshgate.agent.inbound.InboundModes;
import io.meshgate.client.identity.Identities;
import io.meshgate.agent.admin.AgentStatus;
import io.meshgate.agent.workload.WorkloadHealth;
import io.meshgate.client.ConfigApplier;
import io.meshgate.client.ConfigSync;
import io.meshgate.client.controlplane.ControlPlaneClient;
import io.meshgate.client.registry.RegistryClient;
import io.meshgate.client.spring.MeshClientProperties;
import io.meshgate.client.spring.MeshConfigMetrics;
import io.meshgate.client.store.LastKnownGoodStore;
import io.meshgate.proxy.authz.AppliedPolicies;
import io.meshgate.proxy.ratelimit.AppliedRateLimits;
import io.meshgate.proxy.ratelimit.StoreFailures;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.telemetry.ProxyTelemetry;
import io.meshgate.proxy.routing.MatchStep;
import io.meshgate.proxy.routing.RoutingState;
import io.meshgate.proxy.tls.MeshTls;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Starts the per-node mesh agent: config sync (last-known-good first), the outbound and inbound listeners, workload
 * probes and registration, then the admin port. Plain objects wired by hand, no application context: the agent's
 * footprint is a benchmark figure. Stops in reverse order on SIGTERM, leaving the registry first.
 */
public final class AgentMain {

	static final String APPLICATION = "mesh-agent";

	private static final Log logger = LogFactory.getLog(AgentMain.class);

	private AgentMain() {
	}

	public static void main(String[] args) {
		AgentSettings settings;
		try {
			settings = AgentSettings.load(args);
		}
		catch (IllegalArgumentException ex) {
			logger.error(ex.getMessage());
			System.exit(2);
			return;
		}
		Runnable stop = start(settings);
		// every thread the agent runs is a daemon: main stays until SIGTERM, whose hook stops the agent in order
		CountDownLatch running = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stop.run();
			running.countDown();
		}, "meshgate-shutdown"));
		try {
			running.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Starts everything; running the returned task stops it. */
	public static Runnable start(AgentSettings settings) {
		AgentProperties agent = settings.agent();
		MeshClientProperties client = settings.controlPlane();
		PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		metrics.config().commonTags("application", APPLICATION, "node", agent.node());
		List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(),
				new UptimeMetrics())
			.forEach(binder -> binder.bindTo(metrics));

		GoldenMetrics golden = new GoldenMetrics(metrics);
		// spans and access log lines name the agent by its node
		ProxyTelemetry telemetry = new ProxyTelemetry("agent-" + agent.node(), metrics);
		String source = agent.outboundSource();
		RoutingState tables = new RoutingState(Direction.OUTBOUND, agent.listenerPolicy(), golden, source,
				config -> MatchStep.compile(config, golden, Direction.OUTBOUND, source), config -> null,
				telemetry.observer());
		// first: the control plane answers only a node that shows its identity
		Identities identity = new Identities(client.dataDir().resolve(agent.node()).resolve("identity"),
				settings.joinToken(), agent.node(), List.copyOf(new java.util.TreeSet<>(agent.workloads().keySet())),
				client.controlPlane().uri(), client.controlPlane().timeout(), Clock.systemUTC())
			.bindTo(metrics)
			.start();
		ControlPlaneClient controlPlane = new ControlPlaneClient(client.controlPlane().uri(), identity.controlPlane(),
				client.controlPlane().timeout());
		// a workload with its own outbound port calls out as itself: its own routing state (its source in metrics),
		// applied with the node's on every config and registry update
		Map<String, RoutingState> ownRouting = new TreeMap<>();
		for (String workload : new TreeMap<>(agent.outboundPorts()).keySet()) {
			ownRouting.put(workload, new RoutingState(Direction.OUTBOUND, agent.listenerPolicy(), golden, workload,
					config -> MatchStep.compile(config, golden, Direction.OUTBOUND, workload), config -> null,
					telemetry.observer()));
		}
		ConfigApplier routing = applied -> {
			telemetry.apply(applied);
			tables.apply(applied);
			for (RoutingState state : ownRouting.values()) {
				state.apply(applied);
			}
		};
		ConfigSync sync = new ConfigSync(controlPlane, APPLICATION, client.profiles(),
				new LastKnownGoodStore(client.dataDir().resolve(agent.node()), APPLICATION), List.of(), routing,
				client.controlPlane().silenceLimit(), Clock.systemUTC());
		sync.addListener(tables);
		ownRouting.values().forEach(sync::addListener);
		InboundModes modes = new InboundModes(); // before the start, which applies last-known-good
		sync.addListener(modes);
		AppliedPolicies policies = new AppliedPolicies();
		sync.addListener(policies);
		AppliedRateLimits rateLimits = new AppliedRateLimits(new StoreFailures(golden.registry()));
		sync.addListener(rateLimits);
		new MeshConfigMetrics(sync).bindTo(metrics);
		identity.addListener(sync::retryNow);
		sync.addListener(identity); // the CA's roots, pushed on the watch stream
		sync.start();

		// mutual TLS with other nodes: the inbound listener presents the node's SVID; calls out go as the outbound
		// listener's workload, or as the node when it has no single one
		String caller = agent.outboundSource();
		MeshTls meshTls = MeshTls.of(identity::nodeSvid,
				"unknown".equals(caller) ? identity::nodeSvid : () -> identity.serviceSvid(caller), identity::trustBundle,
				metrics);
		logger.info("Mutual TLS with other nodes as " + ("unknown".equals(caller) ? "node " + agent.node()
				: "service " + caller) + ", on " + MeshTls.provider());
		List<ProxyListeners.WorkloadOutbound> workloadOutbounds = new ArrayList<>();
		ownRouting.forEach((workload, state) -> workloadOutbounds.add(new ProxyListeners.WorkloadOutbound(workload,
				agent.outboundPorts().get(workload), state,
				MeshTls.of(identity::nodeSvid, () -> identity.serviceSvid(workload), identity::trustBundle, metrics))));
		ProxyListeners listeners = new ProxyListeners(agent, tables, golden, meshTls, modes, policies, rateLimits,
				workloadOutbounds, telemetry.observer());
		listeners.start();
		RegistryClient registry = new RegistryClient(client.controlPlane().uri(), identity.controlPlane(),
				client.controlPlane().timeout(), agent.node(), agent.inboundAddress(), agent.registrationTtl());
		identity.addListener(registry::retryNow);
		WorkloadHealth workloads = new WorkloadHealth(agent.workloads(), agent.healthCheckInterval(),
				agent.connectTimeout(), registry::register);
		// probes start once the listeners are up: the registry must never point at a closed port
		registry.start();
		workloads.start();
		AdminServer admin = new AdminServer(agent, sync, registry, workloads, listeners,
				new AgentStatus(agent, listeners, workloads, tables, identity), metrics)
			.start();
		// Prometheus finds the agent through the control plane's discovery: the address it is scraped at goes with
		// the next heartbeat
		registry.metricsAddress(URI.create("http://" + agent.advertiseHost() + ":" + admin.port()));
		logger.info("Mesh agent " + agent.node() + " started; admin on " + agent.adminBind() + ":" + admin.port());
		return () -> {
			identity.close();
			workloads.close();
			registry.close();
			admin.stop(); // before the listeners, which dispose the event loops it runs on
			listeners.stop();
			sync.close();
			telemetry.close(); // last: sends the spans of the last requests
		};
	}
}
