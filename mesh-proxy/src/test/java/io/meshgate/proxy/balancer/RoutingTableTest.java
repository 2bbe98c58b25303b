package io.meshgate.proxy.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;
import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class RoutingTableTest {

	private static final MeshConfig CONFIG = MeshConfigLoader.load(List.of(YamlConfigFiles.parse("""
			mesh:
			  services:
			    inventory: { timeout: 1s }
			    inventory-v2:
			    billing:
			      endpoints: [ http://billing.example:8443 ]
			  routes:
			    - id: canary-header
			      match: { service: inventory, headers: { x-canary: "true" } }
			      to: inventory-v2
			    - id: split-stock
			      match: { service: inventory, path-prefix: /stock }
			      to: [ { service: inventory, weight: 80 }, { service: inventory-v2, weight: 20 } ]
			""", "application.yml"))).config();

	private static final EndpointSet REGISTRY = new EndpointSet(1,
			Map.of("inventory", List.of(new Endpoint("inventory", "node-a", URI.create("http://127.0.0.1:15006")),
					new Endpoint("inventory", "node-b", URI.create("http://127.0.0.1:16006")))));

	private final RoutingTable table = RoutingTable.build(CONFIG, REGISTRY, Map.of());

	@Test
	void routesMatchInOrderAndDefaultToTheCalledService() {
		HttpHeaders canary = new DefaultHttpHeaders().set("x-canary", "true");
		assertThat(table.destination("inventory", "/stock/1", canary)).isEqualTo("inventory-v2");
		assertThat(table.destination("inventory", "/health", new DefaultHttpHeaders())).isEqualTo("inventory");
		assertThat(table.destination("billing", "/x", new DefaultHttpHeaders())).isEqualTo("billing");
	}

	@Test
	void aWeightedSplitHoldsItsShares() {
		int toV2 = 0;
		for (int i = 0; i < 100_000; i++) {
			if (table.destination("inventory", "/stock/1", new DefaultHttpHeaders()).equals("inventory-v2")) {
				toV2++;
			}
		}
		assertThat(toV2).isBetween(19_000, 21_000);
	}

	@Test
	void endpointsComeFromTheRegistryElseFromStaticEndpoints() {
		assertThat(table.endpoints("inventory")).extracting(EndpointStats::address)
			.containsExactly("http://127.0.0.1:15006", "http://127.0.0.1:16006");
		assertThat(table.endpoints("billing")).extracting(EndpointStats::address)
			.containsExactly("http://billing.example:8443");
		// a service outside the mesh gets its own authority as Host; a mesh service its name
		assertThat(table.endpoints("billing").get(0).hostHeader()).isEqualTo("billing.example:8443");
		assertThat(table.endpoints("inventory").get(0).hostHeader()).isEqualTo("inventory");
		assertThat(table.endpoints("inventory-v2")).isEmpty();
		assertThat(table.timeout("inventory")).hasSeconds(1);
		assertThat(table.knows("payments")).isFalse();
	}

	@Test
	void aRebuildKeepsTheStatisticsOfEndpointsThatStay() {
		EndpointStats nodeA = table.endpoints("inventory").get(0);
		nodeA.started();
		RoutingTable next = RoutingTable.build(CONFIG,
				new EndpointSet(2, Map.of("inventory", List.of(REGISTRY.of("inventory").get(0)))), table.statistics());
		assertThat(next.endpoints("inventory")).containsExactly(nodeA);
		assertThat(next.endpoints("inventory").get(0).outstanding()).isEqualTo(1);
	}
}
