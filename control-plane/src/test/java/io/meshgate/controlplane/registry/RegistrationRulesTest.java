package io.meshgate.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.meshgate.model.protocol.Registration;

class RegistrationRulesTest {

	private static List<String> check(String address, List<String> services, int ttl) {
		return RegistrationRules.check("node-b",
				new Registration("node-b", address == null ? null : URI.create(address), services, ttl));
	}

	@Test
	void acceptsAValidRegistration() {
		assertThat(check("http://127.0.0.1:16006", List.of("inventory", "orders-v2"), 3)).isEmpty();
		assertThat(check("https://node-b.mesh.local:443/", List.of(), 300)).isEmpty();
		assertThat(check("http://[::1]:16006", List.of("a"), 1)).isEmpty();
	}

	@Test
	void namesEachBadField() {
		assertThat(check("ftp://127.0.0.1:16006", List.of(), 3)).singleElement()
			.asString()
			.startsWith("inboundAddress: 'ftp://127.0.0.1:16006' is not an absolute http(s) URI");
		assertThat(check("http://127.0.0.1", List.of(), 3)).singleElement().asString().startsWith("inboundAddress:");
		assertThat(check("localhost:16006", List.of(), 3)).singleElement().asString().startsWith("inboundAddress:");
		assertThat(check("/relative", List.of(), 3)).singleElement().asString().startsWith("inboundAddress:");
		assertThat(check("http://127.0.0.1:16006/api", List.of(), 3)).singleElement()
			.asString()
			.contains("must be only scheme, host and port");
		assertThat(check(null, List.of(), 3)).singleElement().asString().startsWith("inboundAddress: missing");
		String rule = "is not a valid service name (lowercase letters, digits and '-', at most 63, starting and "
				+ "ending with a letter or digit)";
		assertThat(check("http://127.0.0.1:16006", List.of("orders", "Inventory", "-x", "a".repeat(64)), 3))
			.containsExactly("services[1]: 'Inventory' " + rule, "services[2]: '-x' " + rule,
					"services[3]: '" + "a".repeat(64) + "' " + rule);
		assertThat(check("http://127.0.0.1:16006", List.of(), 0)).containsExactly(
				"ttlSeconds: 0 is out of range (1 to 300)");
		assertThat(check("http://127.0.0.1:16006", List.of(), 301)).containsExactly(
				"ttlSeconds: 301 is out of range (1 to 300)");
	}

	@Test
	void theNodeMustBeTheOneInThePath() {
		URI address = URI.create("http://127.0.0.1:16006");
		assertThat(RegistrationRules.check("node-b", new Registration("node-a", address, List.of(), 3)))
			.containsExactly("node: 'node-a' does not match the node in the path 'node-b'");
		assertThat(RegistrationRules.check("node-b", new Registration(null, address, List.of(), 3)))
			.containsExactly("node: missing; it must be 'node-b', as in the path");
		assertThat(RegistrationRules.check("node b", new Registration("node b", address, List.of(), 3)))
			.singleElement()
			.asString()
			.startsWith("node: 'node b' is not a valid node name");
	}
}
