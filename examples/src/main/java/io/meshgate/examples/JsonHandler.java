package io.meshgate.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** Runs a handler and writes its JSON reply; an exception becomes a 500 with its message. */
final class JsonHandler implements HttpHandler {

	interface Body {

		Reply handle(HttpExchange exchange) throws Exception;
	}

	private final Body body;

	JsonHandler(Body body) {
		this.body = body;
	}

	@Override
	public void handle(HttpExchange exchange) throws IOException {
		Reply reply;
		try (exchange) {
			exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
			try {
				reply = body.handle(exchange);
			}
			catch (Exception ex) {
				reply = Reply.error(500, String.valueOf(ex.getMessage()));
			}
			byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(reply.status(), bytes.length);
			exchange.getResponseBody().write(bytes);
		}
	}
}
