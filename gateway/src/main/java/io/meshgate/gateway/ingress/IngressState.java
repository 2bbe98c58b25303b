package io.meshgate.gateway.ingress;

import org.springframework.context.event.EventListener;

import io.meshgate.client.ConfigSync;
import io.meshgate.client.spring.MeshConfigApplied;
import io.meshgate.gateway.ratelimit.RedisBuckets;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.proxy.authn.JwtStep;
import io.meshgate.proxy.authn.JwtSteps;
import io.meshgate.proxy.authn.SigningKeys;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.ListenerPolicy;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.proxy.mirror.MirrorSender;
import io.meshgate.proxy.routing.RoutingState;
import io.meshgate.proxy.telemetry.ProxyTelemetry;

/**
 * What the ingress path reads per request: the ingress pipeline (route index, bearer tokens, {@code to} split,
 * balancing over the services' endpoints with their load statistics), swapped whole when a config applies or the
 * registry changes.
 */
final class IngressState implements ConfigSync.Listener {

	private final RoutingState routing;

	private final JwtSteps tokens;

	private final ProxyTelemetry telemetry;

	private final RedisBuckets sharedBuckets;

	IngressState(ConfigSync sync, GoldenMetrics metrics, ListenerPolicy policy, JwtSteps tokens,
			ProxyTelemetry telemetry, RedisBuckets sharedBuckets) {
		this.tokens = tokens;
		this.telemetry = telemetry;
		this.sharedBuckets = sharedBuckets;
		this.routing = new RoutingState(Direction.INGRESS, policy, metrics, IngressRoute.SOURCE,
				config -> new IngressStep(IngressTable.of(config, metrics)), tokens::compile, telemetry.observer());
		routing.sharedBuckets(sharedBuckets);
		sync.addListener(this);
		routing.endpoints(sync.endpoints());
	}

	/** Who sends the routes' shadow copies: the ingress's forwarder. */
	void mirrorWith(MirrorSender sender) {
		routing.mirrorWith(sender);
	}

	Pipeline pipeline() {
		return routing.pipeline();
	}

	IngressTable ingress() {
		return ((IngressStep) routing.routeStep()).table();
	}

	/** The bearer-token step of the config in service. */
	JwtStep tokens() {
		return (JwtStep) routing.admissionStep();
	}

	/** The issuer's signing keys in use, {@code null} without {@code mesh.jwt}. */
	SigningKeys signingKeys() {
		return tokens.keys();
	}

	RoutingTable routing() {
		return routing.current();
	}

	/** On the config apply thread, before the version counts as applied: once applied, requests see it. */
	@EventListener
	void onApplied(MeshConfigApplied event) {
		telemetry.apply(event.config());
		sharedBuckets.apply(event.config().model());
		routing.apply(event.config());
	}

	@Override
	public void endpoints(EndpointSet update) {
		routing.endpoints(update);
	}
}
