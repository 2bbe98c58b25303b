package io.meshgate.proxy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.meshgate.model.LoadResult;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;

/** One authorization engine: rules by verified caller, method and normalised path; the mesh's default without one. */
class PoliciesTest {

	private static final String ORDERS = "spiffe://meshgate.local/svc/orders";

	private static final String GATEWAY = "spiffe://meshgate.local/svc/gateway";

	private static final String PAYMENTS = "spiffe://meshgate.local/svc/payments";

	private static Policies compile(String yaml) {
		LoadResult loaded = MeshConfigLoader.load(List.of(YamlConfigFiles.parse(yaml, "application.yml")));
		assertThat(loaded.errors()).isEmpty();
		return Policies.compile(loaded.config());
	}

	private static final Policies INVENTORY = compile("""
			mesh:
			  services:
			    orders: {}
			    payments: {}
			    inventory: {}
			    open: {}
			  policies:
			    - service: inventory
			      allow:
			        - from: [ orders, gateway ]
			          methods: [ GET ]
			          paths: [ /stock/**, /health ]
			        - from: [ payments ]
			          methods: [ POST ]
			          paths: [ /reservations/* ]
			""");

	@Test
	void aRuleAllowsItsCallersMethodsAndPathsAndNothingElse() {
		assertThat(INVENTORY.allows("inventory", ORDERS, "GET", "/stock/sku-1")).isTrue();
		assertThat(INVENTORY.allows("inventory", ORDERS, "GET", "/stock/a/b")).isTrue();
		assertThat(INVENTORY.allows("inventory", GATEWAY, "GET", "/health")).isTrue();
		assertThat(INVENTORY.allows("inventory", PAYMENTS, "POST", "/reservations/42")).isTrue();

		assertThat(INVENTORY.allows("inventory", ORDERS, "POST", "/stock/sku-1")).as("method").isFalse();
		assertThat(INVENTORY.allows("inventory", ORDERS, "GET", "/admin")).as("path").isFalse();
		assertThat(INVENTORY.allows("inventory", ORDERS, "GET", "/stockpile")).as("a prefix is not a path").isFalse();
		assertThat(INVENTORY.allows("inventory", PAYMENTS, "POST", "/reservations/42/cancel")).as("one segment")
			.isFalse();
		assertThat(INVENTORY.allows("inventory", PAYMENTS, "GET", "/stock/sku-1")).as("caller").isFalse();
	}

	@Test
	void onlyAVerifiedWorkloadOfTheMeshsTrustDomainCanMatch() {
		assertThat(INVENTORY.allows("inventory", null, "GET", "/stock/sku-1")).as("plain text").isFalse();
		assertThat(INVENTORY.allows("inventory", "spiffe://meshgate.local/node/node-a", "GET", "/stock/sku-1"))
			.as("a node's own identity").isFalse();
		assertThat(INVENTORY.allows("inventory", "spiffe://elsewhere.example/svc/orders", "GET", "/stock/sku-1"))
			.as("another trust domain").isFalse();
	}

	@Test
	void aServiceWithoutAPolicyFollowsTheMeshsDefault() {
		assertThat(INVENTORY.allows("open", null, "DELETE", "/anything")).isTrue();
		Policies closed = compile("""
				mesh:
				  default-policy: deny
				  services:
				    orders: {}
				    open: {}
				  policies:
				    - service: orders
				      allow:
				        - from: [ "*" ]
				""");
		assertThat(closed.allows("open", ORDERS, "GET", "/")).isFalse();
		assertThat(closed.allows("orders", PAYMENTS, "DELETE", "/x")).as("'*': any workload").isTrue();
		assertThat(closed.allows("orders", null, "GET", "/x")).as("but a workload").isFalse();
		assertThat(Policies.DENY_ALL.allows("open", ORDERS, "GET", "/")).isFalse();
		assertThat(Policies.compile(MeshConfig.empty()).allows("open", null, "GET", "/")).isTrue();
	}

	@Test
	void aRuleWithHeadersNeedsEachOnceWithExactlyItsValue() {
		Policies policies = compile("""
				mesh:
				  services:
				    orders: {}
				    inventory: {}
				  policies:
				    - service: inventory
				      allow:
				        - from: [ orders ]
				          paths: [ /admin/** ]
				          headers: { x-tenant: acme, X-Role: operator }
				""");
		assertThat(policies.allows("inventory", ORDERS, "GET", "/admin/x", headers("x-tenant", "acme", "x-role",
				"operator"))).as("both, names in any case").isTrue();
		assertThat(policies.allows("inventory", ORDERS, "GET", "/admin/x", headers("x-tenant", "acme")))
			.as("one missing").isFalse();
		assertThat(policies.allows("inventory", ORDERS, "GET", "/admin/x", headers("x-tenant", "ACME", "x-role",
				"operator"))).as("values are exact").isFalse();
		assertThat(policies.allows("inventory", ORDERS, "GET", "/admin/x", headers("x-tenant", "acme", "x-role",
				"operator", "x-role", "admin"))).as("a repeated header: the service might read the other copy")
			.isFalse();
		assertThat(policies.allows("inventory", ORDERS, "GET", "/admin/x")).as("no headers at all").isFalse();
		assertThat(policies.allows("inventory", PAYMENTS, "GET", "/admin/x", headers("x-tenant", "acme", "x-role",
				"operator"))).as("headers do not make another caller one").isFalse();
	}

	private static io.netty.handler.codec.http.HttpHeaders headers(String... namesAndValues) {
		io.netty.handler.codec.http.HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			headers.add(namesAndValues[i], namesAndValues[i + 1]);
		}
		return headers;
	}
}
