package io.meshgate.proxy.authz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.util.AntPathMatcher;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.Policy;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The mesh's authorization policies, compiled once per config: for each service, the rules that allow a call (by
 * verified caller, method, normalised path and headers). A
 * service with a policy takes only what one of its rules allows; one without takes everything or nothing, as
 * {@code mesh.default-policy} says. Immutable: a new config compiles a new one.
 */
public final class Policies {

	/** Allows everything: a model without policies, with the default {@code allow}. */
	public static final Policies ALLOW_ALL = new Policies(Map.of(), false);

	/** Allows nothing: what a proxy holds before it knows any config. */
	public static final Policies DENY_ALL = new Policies(Map.of(), true);

	private static final AntPathMatcher PATHS = new AntPathMatcher();

	private final Map<String, List<Rule>> byService;

	private final boolean denyWithoutPolicy;

	private Policies(Map<String, List<Rule>> byService, boolean denyWithoutPolicy) {
		this.byService = byService;
		this.denyWithoutPolicy = denyWithoutPolicy;
	}

	/** Callers are matched by their whole SPIFFE ID in the model's trust domain: no string is cut per request. */
	public static Policies compile(MeshConfig config) {
		String workloads = "spiffe://" + config.trustDomain() + "/svc/";
		Map<String, List<Rule>> byService = new HashMap<>();
		for (Policy policy : config.policies()) {
			List<Rule> rules = byService.computeIfAbsent(policy.service(), s -> new ArrayList<>());
			for (Policy.AllowRule allow : policy.allow()) {
				boolean anyWorkload = allow.from().isEmpty() || allow.from().contains("*");
				rules.add(new Rule(workloads, anyWorkload,
						allow.from().stream().map(service -> workloads + service).collect(Collectors.toSet()),
						allow.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet()),
						List.copyOf(allow.paths()), allow.headers().entrySet().stream()
							.map(header -> new RequiredHeader(AsciiString.of(header.getKey()), header.getValue()))
							.toList()));
			}
		}
		byService.replaceAll((service, rules) -> List.copyOf(rules));
		return new Policies(Map.copyOf(byService), config.defaultPolicy() == MeshConfig.DefaultPolicy.DENY);
	}

	/**
	 * @param service the service called
	 * @param caller  the caller's verified SPIFFE ID, or {@code null} for plain text; only a workload's
	 *                ({@code spiffe://<td>/svc/<service>}, the gateway's {@code svc/gateway}) can match a rule
	 * @param method  the request's method
	 * @param path    the request's normalised path
	 */
	public boolean allows(String service, String caller, String method, String path) {
		return allows(service, caller, method, path, EmptyHttpHeaders.INSTANCE);
	}

	/** @param headers the request's headers, read only for rules that name some */
	public boolean allows(String service, String caller, String method, String path, HttpHeaders headers) {
		List<Rule> rules = byService.get(service);
		if (rules == null) {
			return !denyWithoutPolicy;
		}
		for (Rule rule : rules) {
			if (rule.allows(caller, method, path, headers)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A header a rule requires: present once, with exactly this value. Once, because a repeated header is read
	 * differently by different servers (the first, the last, joined): a rule must not pass on one copy while the
	 * service reads another.
	 */
	private record RequiredHeader(AsciiString name, String value) {

		boolean presentIn(HttpHeaders headers) {
			List<String> values = headers.getAll(name);
			return values.size() == 1 && values.get(0).equals(value);
		}
	}

	private record Rule(String workloads, boolean anyWorkload, Set<String> from, Set<String> methods,
			List<String> paths, List<RequiredHeader> headers) {

		boolean allows(String caller, String method, String path, HttpHeaders requestHeaders) {
			if (caller == null || !(anyWorkload ? caller.startsWith(workloads) : from.contains(caller))) {
				return false;
			}
			if (!methods.isEmpty() && !methods.contains(method)) {
				return false;
			}
			for (int i = 0; i < headers.size(); i++) {
				if (!headers.get(i).presentIn(requestHeaders)) {
					return false;
				}
			}
			if (paths.isEmpty()) {
				return true;
			}
			for (String pattern : paths) {
				if (PATHS.match(pattern, path)) {
					return true;
				}
			}
			return false;
		}
	}
}
