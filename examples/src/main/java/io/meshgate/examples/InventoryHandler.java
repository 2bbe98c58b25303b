package io.meshgate.examples;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** {@code GET /stock/{sku}}: how many are available. The count is derived from the SKU so every instance agrees. */
final class InventoryHandler implements HttpHandler {

	private final JsonHandler delegate;

	InventoryHandler(String instance) {
		this.delegate = new JsonHandler(exchange -> stock(exchange, instance));
	}

	@Override
	public void handle(HttpExchange exchange) throws IOException {
		delegate.handle(exchange);
	}

	private static Reply stock(HttpExchange exchange, String instance) {
		if (!exchange.getRequestMethod().equals("GET")) {
			return Reply.error(405, "only GET is supported on /stock");
		}
		String[] parts = exchange.getRequestURI().getPath().split("/");
		if (parts.length != 3 || parts[2].isBlank()) {
			return Reply.error(404, "use /stock/{sku}");
		}
		String sku = parts[2];
		int available = Math.floorMod(sku.hashCode(), 50);
		return Reply.ok("{\"sku\":" + Json.string(sku) + ",\"available\":" + available + ",\"instance\":"
				+ Json.string(instance) + "}");
	}
}
