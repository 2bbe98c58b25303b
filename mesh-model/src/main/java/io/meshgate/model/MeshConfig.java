package io.meshgate.model;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The mesh model: everything under {@code mesh.*} in config-repo. Shared by the edge, the agents, the control plane and
 * the CLI. Immutable; build it with {@link MeshConfigLoader}, which validates before anything may apply it.
 *
 * @param trustDomain SPIFFE trust domain of every workload identity
 * @param mode        {@code strict} (mTLS only) or {@code permissive} (also plain text)
 * @param services    services by name
 * @param routes      routes in the order they are matched
 * @param policies    authorization policies: a service with one takes only the calls one of its rules allows,
 *                    enforced by the agent in front of it on the caller's verified identity
 * @param defaultPolicy what a service without a policy takes: {@code allow} (any call that reaches it, the default)
 *                    or {@code deny} (none: every service must say who may call it)
 * @param jwt         how the edge checks bearer tokens; absent: it checks none
 * @param telemetry   traces and access logs, the same for every proxy
 * @param rateLimiting where the gateways share the buckets of global rate limits; absent: no global limits
 */
public record MeshConfig(
		@DefaultValue("meshgate.local") String trustDomain,
		@DefaultValue("strict") Mode mode,
		Map<String, ServiceSpec> services,
		List<Route> routes,
		List<Policy> policies,
		@DefaultValue("allow") DefaultPolicy defaultPolicy,
		Jwt jwt,
		Telemetry telemetry,
		RateLimiting rateLimiting) {

	public static final String PREFIX = "mesh";

	public MeshConfig {
		services = Immutables.map(services);
		routes = Immutables.list(routes);
		policies = Immutables.list(policies);
		telemetry = telemetry == null ? Telemetry.NONE : telemetry;
	}

	/** An empty model: what a proxy serves before any config was applied. */
	public static MeshConfig empty() {
		return new MeshConfig("meshgate.local", Mode.STRICT, null, null, null, DefaultPolicy.ALLOW, null, null, null);
	}

	public enum Mode {
		STRICT, PERMISSIVE
	}

	public enum DefaultPolicy {
		ALLOW, DENY
	}
}
