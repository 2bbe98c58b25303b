package io.meshgate.proxy.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.AsciiString;

/**
 * Who called and how, for the next hop: {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code Forwarded}
 * (RFC 7239). At the edge a caller's own values are dropped (with {@code X-Real-IP}) and set from the connection,
 * unless the caller is one of the configured trusted proxies (a load balancer in front of the gateway), whose values
 * are kept and appended to, as Spring's {@code ForwardedHeaderTransformer} does: no caller can claim an address or a
 * scheme to the services. Inside the mesh the caller is the mesh (the gateway, another agent, a local app), and what
 * it sent is kept and appended to.
 */
public final class ForwardedHeaders {

	/** Inside the mesh: append the caller, keep the rest. */
	public static final ForwardedHeaders MESH = new ForwardedHeaders(false, List.of());

	private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

	private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

	private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

	private static final List<AsciiString> SPOOFABLE = List.of(X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST,
			AsciiString.cached("x-forwarded-port"), AsciiString.cached("x-forwarded-prefix"),
			AsciiString.cached("x-real-ip"), AsciiString.cached("forwarded"));

	private final boolean edge;

	private final List<IpSubnetFilterRule> trustedProxies;

	private ForwardedHeaders(boolean edge, List<IpSubnetFilterRule> trustedProxies) {
		this.edge = edge;
		this.trustedProxies = trustedProxies;
	}

	/**
	 * @param trustedProxies addresses ({@code 10.0.0.5}) or networks ({@code 10.0.0.0/8}, {@code fd00::/8}) whose
	 *                       forwarded headers are believed
	 * @throws IllegalArgumentException naming an entry that is neither
	 */
	public static ForwardedHeaders edge(List<String> trustedProxies) {
		List<IpSubnetFilterRule> rules = new ArrayList<>();
		for (String entry : trustedProxies) {
			String trimmed = entry.trim();
			if (trimmed.isEmpty()) {
				continue;
			}
			int slash = trimmed.indexOf('/');
			String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
			try {
				if (!io.netty.util.NetUtil.isValidIpV4Address(address)
						&& !io.netty.util.NetUtil.isValidIpV6Address(address)) {
					throw new IllegalArgumentException("not an IP address");
				}
				InetAddress ip = InetAddress.getByName(address);
				int bits = ip instanceof Inet6Address ? 128 : 32;
				int prefix = slash < 0 ? bits : Integer.parseInt(trimmed.substring(slash + 1));
				rules.add(new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT));
			}
			catch (Exception ex) {
				throw new IllegalArgumentException(
						"trusted proxy '" + trimmed + "' is not an address or network (10.0.0.5, 10.0.0.0/8)", ex);
			}
		}
		return new ForwardedHeaders(true, List.copyOf(rules));
	}

	/**
	 * Sets the headers on the request for the next hop, edited in place.
	 *
	 * @param host the Host the caller used (before the hop's own replaces it), for {@code X-Forwarded-Host}
	 */
	public void apply(HttpHeaders outgoing, InetSocketAddress caller, String scheme, String host) {
		String client = caller == null || caller.getAddress() == null ? null : caller.getAddress().getHostAddress();
		if (!edge || trusted(caller)) {
			append(outgoing, client, scheme, host);
			return;
		}
		for (AsciiString name : SPOOFABLE) {
			outgoing.remove(name);
		}
		append(outgoing, client, scheme, host);
	}

	private void append(HttpHeaders outgoing, String client, String scheme, String host) {
		if (client != null) {
			String prior = outgoing.get(X_FORWARDED_FOR);
			outgoing.set(X_FORWARDED_FOR, prior == null ? client : prior + ", " + client);
		}
		if (!outgoing.contains(X_FORWARDED_PROTO)) {
			outgoing.set(X_FORWARDED_PROTO, scheme);
		}
		if (!edge) {
			return; // inside the mesh: what the edge set stays as it is
		}
		if (host != null && !outgoing.contains(X_FORWARDED_HOST)) {
			outgoing.set(X_FORWARDED_HOST, host);
		}
		StringBuilder element = new StringBuilder();
		if (client != null) {
			element.append("for=").append(client.indexOf(':') >= 0 ? "\"[" + client + "]\"" : client).append(';');
		}
		element.append("proto=").append(scheme);
		if (host != null) {
			element.append(";host=\"").append(host.replace("\"", "")).append('"');
		}
		String prior = outgoing.get("forwarded");
		outgoing.set("forwarded", prior == null ? element.toString() : prior + ", " + element);
	}

	private boolean trusted(InetSocketAddress caller) {
		if (caller == null) {
			return false;
		}
		for (IpSubnetFilterRule rule : trustedProxies) {
			if (rule.matches(caller)) {
				return true;
			}
		}
		return false;
	}
}
