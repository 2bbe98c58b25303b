package io.meshgate.controlplane.registry;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.meshgate.model.protocol.Registration;

/** What a registration must satisfy before it enters the registry; each problem names the field. */
public final class RegistrationRules {

	/** The model's rule for service names (MeshRules): a DNS label, since names become hosts and identities. */
	private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

	/** Node names end up in URLs and log lines: no spaces, slashes or control characters. */
	private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

	static final int MIN_TTL_SECONDS = 1;

	static final int MAX_TTL_SECONDS = 300;

	/** A node runs a handful of workloads; a long list is a mistake or an attempt to claim the whole mesh. */
	static final int MAX_SERVICES = 64;

	private RegistrationRules() {
	}

	/** The model's rule for a service name (also for join tokens and identities). */
	public static boolean isServiceName(String name) {
		return name != null && SERVICE_NAME.matcher(name).matches();
	}

	public static boolean isNodeName(String name) {
		return name != null && NODE_NAME.matcher(name).matches();
	}

	/** @return the problems with a registration sent to {@code PUT .../nodes/{pathNode}}, empty when it is valid */
	static List<String> check(String pathNode, Registration registration) {
		List<String> problems = new ArrayList<>();
		if (!NODE_NAME.matcher(pathNode).matches()) {
			problems.add("node: '" + pathNode + "' is not a valid node name (letters, digits, '.', '_' and '-', "
					+ "at most 253)");
		}
		if (registration.node() == null || registration.node().isBlank()) {
			problems.add("node: missing; it must be '" + pathNode + "', as in the path");
		}
		else if (!registration.node().equals(pathNode)) {
			problems.add("node: '" + registration.node() + "' does not match the node in the path '" + pathNode + "'");
		}
		if (registration.inboundAddress() == null) {
			problems.add("inboundAddress: missing; it must be an address like http://127.0.0.1:16006");
		}
		else {
			checkAddress("inboundAddress", registration.inboundAddress(), "http://127.0.0.1:16006", problems);
		}
		if (registration.metricsAddress() != null) {
			checkAddress("metricsAddress", registration.metricsAddress(), "http://127.0.0.1:16000", problems);
		}
		List<String> services = registration.services();
		if (services.size() > MAX_SERVICES) {
			problems.add("services: " + services.size() + " services; a node registers at most " + MAX_SERVICES);
		}
		for (int i = 0; i < services.size() && i < MAX_SERVICES; i++) {
			String service = services.get(i);
			if (!SERVICE_NAME.matcher(service).matches()) {
				problems.add("services[" + i + "]: '" + service + "' is not a valid service name (lowercase letters, "
						+ "digits and '-', at most 63, starting and ending with a letter or digit)");
			}
		}
		int ttl = registration.ttlSeconds();
		if (ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
			problems.add("ttlSeconds: " + ttl + " is out of range (" + MIN_TTL_SECONDS + " to " + MAX_TTL_SECONDS
					+ ")");
		}
		return problems;
	}

	/** Only scheme, host and port: consumers build their own request URIs from them, so a path would be lost. */
	private static void checkAddress(String field, URI address, String example, List<String> problems) {
		String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase();
		boolean httpUri = address.isAbsolute() && (scheme.equals("http") || scheme.equals("https"));
		if (!httpUri || address.getHost() == null || address.getPort() < 1) {
			problems.add(field + ": '" + address + "' is not an absolute http(s) URI with host and port, like "
					+ example);
		}
		else if (address.getRawUserInfo() != null || address.getRawQuery() != null || address.getRawFragment() != null
				|| !(address.getRawPath().isEmpty() || address.getRawPath().equals("/"))) {
			problems.add(field + ": '" + address + "' must be only scheme, host and port, like " + example);
		}
	}
}
