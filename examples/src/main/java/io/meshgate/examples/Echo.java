package io.meshgate.examples;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;

/** Describes the request as the service received it: what a proxy changed on the way is visible here. */
final class Echo {

	private Echo() {
	}

	static String describe(HttpExchange exchange, String instance) {
		Map<String, String> headers = new TreeMap<>();
		exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
		String headerJson = headers.entrySet()
			.stream()
			.map(e -> Json.string(e.getKey()) + ":" + Json.string(e.getValue()))
			.collect(Collectors.joining(",", "{", "}"));
		return "{\"instance\":" + Json.string(instance) + ",\"method\":" + Json.string(exchange.getRequestMethod())
				+ ",\"path\":" + Json.string(exchange.getRequestURI().getRawPath()) + ",\"headers\":" + headerJson + "}";
	}
}
