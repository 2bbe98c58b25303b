package io.meshgate.proxy.routing;

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
import io.meshgate.client.AppliedConfig;
import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.RoutingTable;
import io.meshgate.proxy.core.Decision;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Protocol;
import io.meshgate.proxy.core.RequestHead;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/** The outbound direction's routing snapshot: east-west routes, splits, endpoints, and what a rebuild keeps. */
class RoutingStateTest {

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
			    - id: canary-cookie
			      match: { service: inventory, cookies: { release: canary } }
			      to: billing
			    - id: split-stock
			      match: { service: inventory, path-prefix: /stock }
			      to: [ { service: inventory, weight: 80 }, { service: inventory-v2, weight: 20 } ]
			""", "application.yml"))).config();

	private static final EndpointSet REGISTRY = new EndpointSet(1,
			Map.of("inventory", List.of(new Endpoint("inventory", "node-a", URI.create("http://127.0.0.1:15006")),
					new Endpoint("inventory", "node-b", URI.create("http://127.0.0.1:16006")))));

	private final RoutingTable table = RoutingTable.build(CONFIG, REGISTRY, (RoutingTable) null);

	private final RoutingState state = new RoutingState(Direction.OUTBOUND, GoldenMetrics.none(), "orders",
			config -> MatchStep.compile(config, GoldenMetrics.none(), Direction.OUTBOUND, "orders"));

	{
		state.apply(new AppliedConfig("v1", List.of(), CONFIG, java.time.Instant.now(), AppliedConfig.Origin.CONTROL_PLANE));
		state.endpoints(REGISTRY);
	}

	/** Where the outbound pipeline sends a call to {@code service}, or the error it answers. */
	private String destination(String service, String path, HttpHeaders headers) {
		headers.set("host", service);
		Pipeline pipeline = state.pipeline();
		Exchange exchange = pipeline.exchange(
				RequestHead.of(Direction.OUTBOUND, Protocol.HTTP_1_1, HttpMethod.GET, path, headers, null));
		Decision decision = pipeline.decide(exchange, Runnable::run);
		return decision == Decision.FORWARD ? exchange.destination() + " via " + exchange.route()
				: exchange.answer().code();
	}

	@Test
	void aCookieRoutesACallToTheCanary() {
		assertThat(destination("inventory", "/stock/1", new DefaultHttpHeaders().set("cookie", "a=1; release=canary")))
			.isEqualTo("billing via canary-cookie");
		assertThat(destination("inventory", "/other", new DefaultHttpHeaders().set("cookie", "release=stable")))
			.isEqualTo("inventory via default");
	}

	@Test
	void aRegistryEntryNeverReplacesOrJoinsAServicesStaticEndpoints() {
		EndpointSet hijack = new EndpointSet(2, Map.of("billing",
				List.of(new Endpoint("billing", "node-evil", URI.create("http://127.0.0.1:18777")))));
		RoutingTable withHijack = RoutingTable.build(CONFIG, hijack, (RoutingTable) null);
		assertThat(withHijack.endpoints("billing")).extracting(EndpointStats::address)
			.containsExactly("http://billing.example:8443");
	}

	@Test
	void routesMatchInOrderAndDefaultToTheCalledService() {
		HttpHeaders canary = new DefaultHttpHeaders().set("x-canary", "true");
		assertThat(destination("inventory", "/stock/1", canary)).isEqualTo("no_healthy_endpoint");
		assertThat(destination("inventory", "/health", new DefaultHttpHeaders())).isEqualTo("inventory via default");
		assertThat(destination("billing", "/x", new DefaultHttpHeaders())).isEqualTo("billing via default");
		assertThat(destination("payments", "/x", new DefaultHttpHeaders())).isEqualTo("unknown_service");
	}

	@Test
	void aWeightedSplitHoldsItsShares() {
		int toV2 = 0;
		for (int i = 0; i < 100_000; i++) {
			Exchange exchange = state.pipeline()
				.exchange(RequestHead.of(Direction.OUTBOUND, Protocol.HTTP_1_1, HttpMethod.GET, "/stock/1",
						new DefaultHttpHeaders().set("host", "inventory"), null));
			state.pipeline().decide(exchange, Runnable::run);
			if (exchange.destination().equals("inventory-v2")) {
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
		assertThat(table.service("inventory").timeout()).hasSeconds(1);
	}

	@Test
	void aRebuildKeepsTheStatisticsOfEndpointsThatStay() {
		EndpointStats nodeA = table.endpoints("inventory").get(0);
		nodeA.started();
		RoutingTable next = RoutingTable.build(CONFIG,
				new EndpointSet(2, Map.of("inventory", List.of(REGISTRY.of("inventory").get(0)))), table);
		assertThat(next.endpoints("inventory")).containsExactly(nodeA);
		assertThat(next.endpoints("inventory").get(0).outstanding()).isEqualTo(1);
	}
}
