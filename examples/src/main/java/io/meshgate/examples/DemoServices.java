package io.meshgate.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * Starts demo services in one JVM, each on its own port: {@code orders:8181 inventory:8182}. Options:
 * {@code --inventory-url=http://127.0.0.1:8182} (where orders finds inventory), {@code --bind=127.0.0.1}.
 */
public final class DemoServices {

	private DemoServices() {
	}

	public static void main(String[] args) throws IOException {
		String bind = "127.0.0.1";
		URI inventoryUrl = URI.create("http://127.0.0.1:8182");
		List<String[]> services = new ArrayList<>();
		for (String arg : args) {
			if (arg.startsWith("--bind=")) {
				bind = arg.substring(7);
			}
			else if (arg.startsWith("--inventory-url=")) {
				inventoryUrl = URI.create(arg.substring(16));
			}
			else if (arg.matches("[a-z-]+:\\d+")) {
				services.add(arg.split(":"));
			}
			else {
				System.err.println("usage: DemoServices [--bind=ADDR] [--inventory-url=URL] orders:PORT inventory:PORT");
				System.exit(2);
			}
		}
		if (services.isEmpty()) {
			services.add(new String[] { "orders", "8181" });
			services.add(new String[] { "inventory", "8182" });
		}
		for (String[] service : services) {
			start(service[0], bind, Integer.parseInt(service[1]), inventoryUrl);
		}
	}

	static HttpServer start(String name, String bind, int port, URI inventoryUrl) throws IOException {
		String instance = name + "@" + port;
		HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 128);
		server.setExecutor(Executors.newFixedThreadPool(8));
		server.createContext("/health", new JsonHandler(exchange -> Reply.ok("{\"status\":\"UP\",\"instance\":"
				+ Json.string(instance) + "}")));
		server.createContext("/echo", new JsonHandler(exchange -> Reply.ok(Echo.describe(exchange, instance))));
		switch (name) {
			case "orders" -> server.createContext("/orders", new OrdersHandler(instance, inventoryUrl));
			case "inventory" -> server.createContext("/stock", new InventoryHandler(instance));
			default -> throw new IllegalArgumentException("unknown demo service '" + name + "' (orders, inventory)");
		}
		server.start();
		System.out.println(instance + " listening on http://" + bind + ":" + server.getAddress().getPort());
		return server;
	}
}
