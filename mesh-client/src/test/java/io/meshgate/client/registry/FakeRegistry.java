package io.meshgate.client.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.meshgate.model.protocol.MeshApi;

/** The control plane's registry on a real loopback HTTP server: records every request, answers a chosen status. */
final class FakeRegistry implements AutoCloseable {

	record Request(String method, String path, String body, long nanoTime) {
	}

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	final List<Request> requests = new CopyOnWriteArrayList<>();

	private volatile int status = 200;

	FakeRegistry() throws IOException {
		server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
		server.setExecutor(executor);
		server.createContext(MeshApi.REGISTRY, this::handle);
		server.start();
	}

	URI uri() {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
	}

	void answer(int status) {
		this.status = status;
	}

	List<Request> puts() {
		return requests.stream().filter(request -> request.method().equals("PUT")).toList();
	}

	Request last() {
		return requests.get(requests.size() - 1);
	}

	private void handle(HttpExchange exchange) throws IOException {
		String body;
		try (InputStream in = exchange.getRequestBody()) {
			body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body,
				System.nanoTime()));
		int answer = exchange.getRequestMethod().equals("DELETE") ? 204 : status;
		byte[] reply = answer == 200 ? "{\"revision\":1,\"services\":{}}".getBytes(StandardCharsets.UTF_8)
				: answer == 400 ? "{\"error\":\"invalid registration\",\"message\":\"ttlSeconds: bad\"}"
					.getBytes(StandardCharsets.UTF_8) : "<html>oops</html>".getBytes(StandardCharsets.UTF_8);
		if (answer == 204) {
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
			return;
		}
		exchange.getResponseHeaders().set("Content-Type", answer == 500 ? "text/html" : "application/json");
		exchange.sendResponseHeaders(answer, reply.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(reply);
		}
	}

	@Override
	public void close() {
		server.stop(0);
		executor.shutdownNow();
	}
}
