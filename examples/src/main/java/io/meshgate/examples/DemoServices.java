package io.meshgate.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;

/**
 * Starts demo services in one JVM, each on its own port: {@code orders:8181 inventory:8182 inventory:8183}. Options:
 * {@code --inventory-url=http://127.0.0.1:8182} (where orders finds inventory; {@code http://inventory} through the
 * mesh), {@code --proxy=127.0.0.1:15001} (the node's outbound agent, like HTTP_PROXY), {@code --bind=127.0.0.1},
 * {@code --latency-ms=500} (every answer of /orders, /stock and /echo that much later: a slow instance, to watch the
 * balancer avoid it).
 */
public final class DemoServices {

	private DemoServices() {
	}

	public static void main(String[] args) throws IOException {
		String bind = "127.0.0.1";
		URI inventoryUrl = URI.create("http://127.0.0.1:8182");
		InetSocketAddress proxy = null;
		List<String[]> services = new ArrayList<>();
		long latencyMillis = 0;
		for (String arg : args) {
			if (arg.startsWith("--bind=")) {
				bind = arg.substring(7);
			}
			else if (arg.startsWith("--proxy=")) {
				String[] hostPort = arg.substring(8).split(":");
				proxy = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
			}
			else if (arg.startsWith("--latency-ms=")) {
				latencyMillis = Long.parseLong(arg.substring(13));
			}
			else if (arg.startsWith("--inventory-url=")) {
				inventoryUrl = URI.create(arg.substring(16));
			}
			else if (arg.matches("[a-z-]+:\\d+")) {
				services.add(arg.split(":"));
			}
			else {
				System.err.println("usage: DemoServices [--bind=ADDR] [--inventory-url=URL] [--proxy=HOST:PORT] "
						+ "[--latency-ms=MS] orders:PORT inventory:PORT...");
				System.exit(2);
			}
		}
		if (services.isEmpty()) {
			services.add(new String[] { "orders", "8181" });
			services.add(new String[] { "inventory", "8182" });
		}
		for (String[] service : services) {
			start(service[0], bind, Integer.parseInt(service[1]), inventoryUrl, proxy, latencyMillis);
		}
	}

	static HttpServer start(String name, String bind, int port, URI inventoryUrl) throws IOException {
		return start(name, bind, port, inventoryUrl, null, 0);
	}

	static HttpServer start(String name, String bind, int port, URI inventoryUrl, InetSocketAddress proxy,
			long latencyMillis) throws IOException {
		String instance = name + "@" + port;
		HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 128);
		server.setExecutor(Executors.newFixedThreadPool(16));
		server.createContext("/health", new JsonHandler(exchange -> Reply.ok("{\"status\":\"UP\",\"instance\":"
				+ Json.string(instance) + "}")));
		HttpContext echo = server.createContext("/echo",
				new JsonHandler(exchange -> Reply.ok(Echo.describe(exchange, instance))));
		TestEndpoints.register(server, instance);
		HttpContext service = switch (name) {
			case "orders" -> server.createContext("/orders", new OrdersHandler(instance, inventoryUrl, proxy));
			case "inventory" -> server.createContext("/stock", new InventoryHandler(instance));
			default -> throw new IllegalArgumentException("unknown demo service '" + name + "' (orders, inventory)");
		};
		if (latencyMillis > 0) {
			Filter latency = Filter.beforeHandler("adds " + latencyMillis + " ms", exchange -> {
				try {
					TimeUnit.MILLISECONDS.sleep(latencyMillis); // a demo's own thread: the slowness is the point
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			echo.getFilters().add(latency);
			service.getFilters().add(latency);
		}
		server.start();
		System.out.println(instance + " listening on http://" + bind + ":" + server.getAddress().getPort());
		return server;
	}
}
