package io.meshgate.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.json.JsonMapper;

/**
 * A control plane on a real loopback HTTP server speaking the two endpoints proxies use: the config server's
 * {@code GET /{application}/{profiles}} and the {@code /mesh/v1/watch} event stream. Tests set what it serves.
 */
final class FakeControlPlane implements AutoCloseable {

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpServer server;

	private final List<HttpExchange> watchers = new CopyOnWriteArrayList<>();

	final AtomicInteger fetches = new AtomicInteger();

	final AtomicInteger watchConnections = new AtomicInteger();

	private volatile int fetchStatus = 200;

	private volatile String version = "v0";

	private volatile Map<String, Map<String, Object>> files = Map.of();

	private volatile CommitStatus current;

	FakeControlPlane() throws IOException {
		server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
		server.setExecutor(Executors.newCachedThreadPool());
		server.createContext(MeshApi.WATCH, this::watch);
		server.createContext("/", this::fetch);
		server.start();
	}

	URI uri() {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
	}

	/** Serves these files (name to flat properties, highest precedence first) as this version. */
	void serve(String version, Map<String, Map<String, Object>> files) {
		this.version = version;
		this.files = files;
	}

	void failFetchesWith(int status) {
		this.fetchStatus = status;
	}

	/** Pushes a version event to every open watch stream (and to streams opened later). */
	void push(CommitStatus status) {
		current = status;
		for (HttpExchange watcher : watchers) {
			send(watcher, "event:version\nid:" + status.version() + "\ndata:" + json.writeValueAsString(status) + "\n\n");
		}
	}

	/** Cuts every open watch stream. */
	void dropWatchers() {
		for (HttpExchange watcher : watchers) {
			watchers.remove(watcher);
			watcher.close();
		}
	}

	private void watch(HttpExchange exchange) throws IOException {
		watchConnections.incrementAndGet();
		exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
		exchange.sendResponseHeaders(200, 0);
		watchers.add(exchange);
		CommitStatus status = current;
		if (status != null) {
			send(exchange, "event:version\nid:" + status.version() + "\ndata:" + json.writeValueAsString(status) + "\n\n");
		}
		else {
			send(exchange, ":connected\n\n");
		}
	}

	private void fetch(HttpExchange exchange) throws IOException {
		fetches.incrementAndGet();
		byte[] body;
		int status = fetchStatus;
		if (status == 200) {
			List<Map<String, Object>> sources = files.entrySet()
				.stream()
				.map(file -> Map.<String, Object>of("name", "file:/srv/clone/" + file.getKey(), "source", file.getValue()))
				.toList();
			body = json.writeValueAsBytes(Map.of("name", "gateway", "version", version, "propertySources", sources));
		}
		else {
			body = "{\"error\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8);
		}
		exchange.sendResponseHeaders(status, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private void send(HttpExchange exchange, String text) {
		try {
			OutputStream out = exchange.getResponseBody();
			out.write(text.getBytes(StandardCharsets.UTF_8));
			out.flush();
		}
		catch (IOException ex) {
			watchers.remove(exchange);
		}
	}

	@Override
	public void close() {
		dropWatchers();
		server.stop(0);
	}
}
