package io.meshgate.proxy.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigApplier;
import io.meshgate.client.ConfigSync;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.proxy.balancer.BalancerFeedback;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.ListenerPolicy;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.logging.ProxyErrorLog;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.mirror.MirrorSender;
import io.meshgate.proxy.mirror.MirrorStep;
import io.meshgate.proxy.mirror.Mirroring;
import io.meshgate.proxy.ratelimit.RateLimitStep;
import io.meshgate.proxy.ratelimit.RateLimits;
import io.meshgate.proxy.ratelimit.SharedBuckets;
import io.meshgate.proxy.ratelimit.StoreFailures;
import io.meshgate.proxy.resilience.FaultStep;

/**
 * The routing snapshot of one balancing direction (the edge's ingress, an agent's outbound), swapped whole when
 * config sync applies a config or the registry's endpoints change: the routing table (endpoints with statistics,
 * carried over) and the pipeline compiled over it, route step, {@code to} split, balancing. Requests read it with one
 * volatile load; rebuilds happen off the request path. The route step is compiled only when the config changes (it
 * may index thousands of routes), the balancing step on every rebuild.
 */
public class RoutingState implements ConfigApplier, ConfigSync.Listener {

	private final Direction direction;

	private final GoldenMetrics metrics;

	private final String source;

	private final Function<MeshConfig, Step> routes;

	private final Function<MeshConfig, Step> admission;

	private final ExchangeObserver observer;

	private final ListenerPolicy policy;

	private MeshConfig config = MeshConfig.empty();

	private EndpointSet endpoints = EndpointSet.empty();

	private Step route;

	private Step admit;

	/** the routes' fault injection; {@code null} when no route has a fault */
	private Step fault;

	/** the routes' rate limits, with their buckets (carried into the next config's) */
	private RateLimits rateLimits = RateLimits.NONE;

	/** {@code null} when no route has a rate limit */
	private Step limit;

	/** where global rate limits keep their buckets; {@code null}: none here (an agent) */
	private SharedBuckets shared;

	private final StoreFailures storeFailures;

	/** sends the routes' shadow copies, once the listeners' clients exist */
	private final Mirroring mirroring = new Mirroring();

	private volatile RoutingTable table = RoutingTable.empty();

	private volatile Pipeline pipeline;

	/**
	 * @param source the calling side in metrics ({@code gateway} at the edge; the node's workload, or {@code unknown})
	 * @param routes compiles the model's routes for this direction into its route step
	 */
	public RoutingState(Direction direction, GoldenMetrics metrics, String source, Function<MeshConfig, Step> routes) {
		this(direction, ListenerPolicy.MESH, metrics, source, routes);
	}

	/** @param policy the listener's path and forwarded-header rules */
	public RoutingState(Direction direction, ListenerPolicy policy, GoldenMetrics metrics, String source,
			Function<MeshConfig, Step> routes) {
		this(direction, policy, metrics, source, routes, config -> null);
	}

	/**
	 * @param admission compiles the step that decides, once route and destination are known (so its refusals are
	 *                  counted under them), whether the request may go on: the edge's bearer tokens. It runs before
	 *                  balancing, so a refused request never takes an endpoint. {@code null} from it: none
	 */
	public RoutingState(Direction direction, ListenerPolicy policy, GoldenMetrics metrics, String source,
			Function<MeshConfig, Step> routes, Function<MeshConfig, Step> admission) {
		this(direction, policy, metrics, source, routes, admission, ExchangeObserver.NONE);
	}

	/** @param telemetry observes every exchange besides the metrics: traces, access log ({@code ProxyTelemetry}) */
	public RoutingState(Direction direction, ListenerPolicy policy, GoldenMetrics metrics, String source,
			Function<MeshConfig, Step> routes, Function<MeshConfig, Step> admission, ExchangeObserver telemetry) {
		this.admission = admission;
		this.policy = policy;
		this.direction = direction;
		this.metrics = metrics;
		this.source = source;
		this.routes = routes;
		this.observer = ExchangeObserver
			.of(List.of(BalancerFeedback.INSTANCE, metrics, telemetry, mirroring, ProxyErrorLog.INSTANCE));
		this.storeFailures = new StoreFailures(metrics.registry());
		this.route = routes.apply(config);
		this.admit = admission.apply(config);
		rebuild();
	}

	/**
	 * The pipeline's steps: route, split, then what the model asks for (admission, rate limits, faults, mirrors), then
	 * balancing.
	 */
	private List<Step> steps(RoutingTable next) {
		List<Step> steps = new ArrayList<>(5);
		steps.add(route);
		steps.add(SplitStep.INSTANCE);
		if (admit != null) {
			steps.add(admit);
		}
		if (limit != null) {
			steps.add(limit);
		}
		if (fault != null) {
			steps.add(fault);
		}
		MirrorStep mirror = MirrorStep.compile(config, next, metrics.registry(), direction);
		if (mirror != null) {
			steps.add(mirror);
		}
		steps.add(new BalanceStep(next));
		return steps;
	}

	public RoutingTable current() {
		return table;
	}

	public Pipeline pipeline() {
		return pipeline;
	}

	/** The admission step of the config in service ({@code null}: none), for status pages. */
	public synchronized Step admissionStep() {
		return admit;
	}

	/** The route step of the config in service, for status pages. */
	public synchronized Step routeStep() {
		return route;
	}

	@Override
	public synchronized void apply(AppliedConfig applied) {
		config = applied.model();
		route = routes.apply(config);
		admit = admission.apply(config);
		fault = FaultStep.compile(config);
		rateLimits = RateLimits.compile(config, rateLimits, shared, storeFailures);
		limit = rateLimits.hasRouteLimits() ? RateLimitStep.forRoutes(rateLimits) : null;
		rebuild();
	}

	/** Who sends the routes' shadow copies: the listeners' reactor-netty clients ({@code Forwarder}). */
	public void mirrorWith(MirrorSender sender) {
		mirroring.sender(sender);
	}

	/** Where this proxy's global rate limits keep their buckets (the gateway's Redis); set before a config applies. */
	public synchronized void sharedBuckets(SharedBuckets buckets) {
		this.shared = buckets;
	}

	@Override
	public synchronized void endpoints(EndpointSet update) {
		endpoints = update;
		rebuild();
	}

	private void rebuild() {
		RoutingTable next = RoutingTable.build(config, endpoints, table,
				service -> metrics.ejections(direction, service));
		table = next;
		pipeline = new Pipeline(direction, policy, steps(next), observer,
				metrics.meters(direction, source, "default", "unknown"));
	}
}
