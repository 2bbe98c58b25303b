package io.meshgate.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * {@code GET /orders/{id}}: an order with its item's stock, fetched from inventory (the demo's east-west call).
 * {@code GET /orders}: the order ids.
 */
final class OrdersHandler implements HttpHandler {

	private final JsonHandler delegate;

	private final HttpClient http;

	/** @param proxy the node's outbound agent, or {@code null} to call inventory directly */
	OrdersHandler(String instance, URI inventory, InetSocketAddress proxy) {
		HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
		if (proxy != null) {
			builder.proxy(ProxySelector.of(proxy));
		}
		this.http = builder.build();
		this.delegate = new JsonHandler(exchange -> order(exchange, instance, inventory));
	}

	@Override
	public void handle(HttpExchange exchange) throws IOException {
		delegate.handle(exchange);
	}

	/** W3C Trace Context's headers */
	private static final String[] TRACE_CONTEXT = { "traceparent", "tracestate" };

	private Reply order(HttpExchange exchange, String instance, URI inventory) throws InterruptedException {
		String[] parts = exchange.getRequestURI().getPath().split("/");
		if (parts.length == 2) {
			return Reply.ok("{\"orders\":[\"1\",\"2\",\"3\"],\"instance\":" + Json.string(instance) + "}");
		}
		if (parts.length != 3 || !parts[2].matches("\\d{1,9}")) {
			return Reply.error(404, "use /orders/{id} with a numeric id");
		}
		String id = parts[2];
		String sku = "sku-" + id;
		String stock;
		try {
			HttpRequest.Builder call = HttpRequest.newBuilder(inventory.resolve("/stock/" + sku))
				.timeout(Duration.ofSeconds(2));
			// what a service does for the mesh's traces: pass the trace context on, so the call to inventory joins
			// the trace this request is in (an app with its own tracing would start a span of its own here)
			for (String name : TRACE_CONTEXT) {
				String value = exchange.getRequestHeaders().getFirst(name);
				if (value != null) {
					call.header(name, value);
				}
			}
			HttpResponse<String> response = http.send(call.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				return Reply.error(502, "inventory answered " + response.statusCode() + ": " + response.body());
			}
			stock = response.body();
		}
		catch (IOException ex) {
			return Reply.error(502, "inventory unreachable at " + inventory + ": " + ex);
		}
		return Reply.ok("{\"id\":" + Json.string(id) + ",\"sku\":" + Json.string(sku) + ",\"quantity\":1,\"stock\":"
				+ stock + ",\"instance\":" + Json.string(instance) + "}");
	}
}
