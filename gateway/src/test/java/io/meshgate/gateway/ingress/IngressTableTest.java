package io.meshgate.gateway.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.files.YamlConfigFiles;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class IngressTableTest {

	private static final HttpHeaders NONE = new DefaultHttpHeaders();

	private static IngressTable table(String routes) {
		String yaml = """
				mesh:
				  services:
				    orders:
				    inventory:
				    inventory-v2:
				  routes:
				""" + routes.indent(4);
		var result = MeshConfigLoader.load(List.of(YamlConfigFiles.parse(yaml, "application.yml")));
		assertThat(result.errors()).isEmpty();
		return IngressTable.of(result.config());
	}

	private static String matched(IngressTable table, String method, String path, HttpHeaders headers) {
		IngressRoute route = table.match(method, path, headers);
		return route == null ? null : route.id();
	}

	@Test
	void aWildcardTailMatchesTheBarePrefixAndAnythingBelowIt() {
		IngressTable table = table("- { id: orders, ingress: { path: /api/orders/** }, to: orders }");
		assertThat(matched(table, "GET", "/api/orders", NONE)).isEqualTo("orders");
		assertThat(matched(table, "GET", "/api/orders/7/lines", NONE)).isEqualTo("orders");
		assertThat(matched(table, "GET", "/api/ordersx", NONE)).isNull();
		assertThat(matched(table, "GET", "/api", NONE)).isNull();
		assertThat(matched(table, "GET", "/", NONE)).isNull();
	}

	@Test
	void theFirstDeclaredRouteWinsWhereverTheIndexFilesIt() {
		// the catch-all sits at the root of the index, the specific route deeper: declaration order still decides
		IngressTable catchAllFirst = table("""
				- { id: all, ingress: { path: /** }, to: orders }
				- { id: stock, ingress: { path: /api/stock/** }, to: inventory }
				""");
		assertThat(matched(catchAllFirst, "GET", "/api/stock/1", NONE)).isEqualTo("all");
		IngressTable specificFirst = table("""
				- { id: stock, ingress: { path: /api/stock/** }, to: inventory }
				- { id: all, ingress: { path: /** }, to: orders }
				""");
		assertThat(matched(specificFirst, "GET", "/api/stock/1", NONE)).isEqualTo("stock");
		assertThat(matched(specificFirst, "GET", "/api/orders/1", NONE)).isEqualTo("all");
	}

	@Test
	void methodsHostAndHeadersNarrowARoute() {
		IngressTable table = table("""
				- { id: canary, ingress: { path: /api/stock/**, headers: { x-canary: "yes" } }, to: inventory-v2 }
				- { id: writes, ingress: { path: /api/stock/**, methods: [ post, PUT ] }, to: orders }
				- { id: shop-host, ingress: { path: /api/stock/**, host: "*.shop.example" }, to: orders }
				- { id: stock, ingress: { path: /api/stock/** }, to: inventory }
				""");
		assertThat(matched(table, "GET", "/api/stock/1", new DefaultHttpHeaders().set("x-canary", "yes")))
			.isEqualTo("canary");
		assertThat(matched(table, "GET", "/api/stock/1", new DefaultHttpHeaders().set("x-canary", "no")))
			.isEqualTo("stock");
		assertThat(matched(table, "POST", "/api/stock/1", NONE)).isEqualTo("writes");
		assertThat(matched(table, "GET", "/api/stock/1", new DefaultHttpHeaders().set("host", "eu.shop.example:8080")))
			.isEqualTo("shop-host");
		assertThat(matched(table, "GET", "/api/stock/1", new DefaultHttpHeaders().set("host", "shop.example")))
			.isEqualTo("stock");
	}

	@Test
	void aCookieSelectsTheCanary() {
		IngressTable table = table("""
				- { id: canary, ingress: { path: /api/stock/**, cookies: { release: canary } }, to: inventory-v2 }
				- { id: stock, ingress: { path: /api/stock/** }, to: inventory }
				""");
		assertThat(matched(table, "GET", "/api/stock/1",
				new DefaultHttpHeaders().set("cookie", "session=abc; release=canary; theme=dark"))).isEqualTo("canary");
		assertThat(matched(table, "GET", "/api/stock/1",
				new DefaultHttpHeaders().add("cookie", "session=abc").add("cookie", "release=canary")))
			.as("a second Cookie header (HTTP/2 may split them)")
			.isEqualTo("canary");
		assertThat(matched(table, "GET", "/api/stock/1", new DefaultHttpHeaders().set("cookie", "release=stable")))
			.isEqualTo("stock");
		assertThat(matched(table, "GET", "/api/stock/1", new DefaultHttpHeaders().set("cookie", "xrelease=canary")))
			.isEqualTo("stock");
		assertThat(matched(table, "GET", "/api/stock/1", NONE)).isEqualTo("stock");
	}

	@Test
	void variablesAndSingleWildcardsMatchOneSegment() {
		IngressTable table = table("""
				- { id: lines, ingress: { path: "/api/orders/{id}/lines" }, to: orders }
				- { id: any-v, ingress: { path: "/api/*/health" }, to: inventory }
				""");
		assertThat(matched(table, "GET", "/api/orders/7/lines", NONE)).isEqualTo("lines");
		assertThat(matched(table, "GET", "/api/orders/7/8/lines", NONE)).isNull();
		assertThat(matched(table, "GET", "/api/stock/health", NONE)).isEqualTo("any-v");
	}

	@Test
	void tenThousandRoutesAreFoundByTheirPrefix() {
		StringBuilder routes = new StringBuilder();
		for (int i = 0; i < 10_000; i++) {
			routes.append("- { id: r").append(i).append(", ingress: { path: /r").append(i).append("/** }, to: orders }\n");
		}
		IngressTable table = table(routes.toString());
		assertThat(table.routes()).hasSize(10_000);
		assertThat(matched(table, "GET", "/r9999/x", NONE)).isEqualTo("r9999");
		assertThat(matched(table, "GET", "/r0", NONE)).isEqualTo("r0");
		assertThat(matched(table, "GET", "/r10000/x", NONE)).isNull();
	}

	@Test
	void stripPrefixDropsLeadingSegmentsAndKeepsTheQuery() {
		assertThat(IngressStep.stripPrefix("/shop/orders/3?x=1", 1)).isEqualTo("/orders/3?x=1");
		assertThat(IngressStep.stripPrefix("/shop/orders/3", 2)).isEqualTo("/3");
		assertThat(IngressStep.stripPrefix("/shop?x=1", 1)).isEqualTo("/?x=1");
		assertThat(IngressStep.stripPrefix("/shop/orders", 3)).isEqualTo("/");
		assertThat(IngressStep.stripPrefix("/a/b", 0)).isEqualTo("/a/b");
	}
}
