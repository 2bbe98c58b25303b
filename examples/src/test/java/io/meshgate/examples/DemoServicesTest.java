package io.meshgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

class DemoServicesTest {

	private static HttpServer inventory;

	private static HttpServer orders;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void start() throws Exception {
		inventory = DemoServices.start("inventory", "127.0.0.1", 0, null);
		URI inventoryUrl = URI.create("http://127.0.0.1:" + inventory.getAddress().getPort());
		orders = DemoServices.start("orders", "127.0.0.1", 0, inventoryUrl);
	}

	@AfterAll
	static void stop() {
		orders.stop(0);
		inventory.stop(0);
	}

	private HttpResponse<String> get(HttpServer server, String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void anOrderCarriesItsStockFromInventory() throws Exception {
		HttpResponse<String> response = get(orders, "/orders/7");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"id\":\"7\"").contains("\"sku\":\"sku-7\"").contains("\"stock\":{");
	}

	@Test
	void unknownPathsAreJsonErrors() throws Exception {
		HttpResponse<String> response = get(inventory, "/stock/");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).isEqualTo("{\"error\":\"use /stock/{sku}\"}");
	}

	@Test
	void ordersReportsAnUnreachableInventoryAs502() throws Exception {
		HttpServer lonely = DemoServices.start("orders", "127.0.0.1", 0, URI.create("http://127.0.0.1:1"));
		try {
			HttpResponse<String> response = get(lonely, "/orders/1");
			assertThat(response.statusCode()).isEqualTo(502);
			assertThat(response.body()).contains("inventory unreachable");
		}
		finally {
			lonely.stop(0);
		}
	}
}
