package io.meshgate.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Endpoints every demo service has, to show (and test) how the mesh behaves: a slow answer, a dropped connection,
 * and large bodies streamed in both directions.
 */
final class TestEndpoints {

	private static final int CHUNK = 64 * 1024;

	private TestEndpoints() {
	}

	static void register(HttpServer server, String instance) {
		// GET /delay/{ms}: answers after that many milliseconds (at most 60 s)
		server.createContext("/delay", new JsonHandler(exchange -> {
			long millis = Math.min(60_000, Long.parseLong(exchange.getRequestURI().getPath().substring(7)));
			TimeUnit.MILLISECONDS.sleep(millis);
			return Reply.ok("{\"delayedMillis\":" + millis + ",\"instance\":" + Json.string(instance) + "}");
		}));
		// GET /reset: closes the connection without answering
		server.createContext("/reset", HttpExchange::close);
		// POST /upload: reads the body in chunks and answers how many bytes arrived
		server.createContext("/upload", exchange -> {
			long total = 0;
			byte[] buffer = new byte[CHUNK];
			try (InputStream in = exchange.getRequestBody()) {
				for (int read; (read = in.read(buffer)) > 0;) {
					total += read;
				}
			}
			byte[] body = ("{\"bytes\":" + total + ",\"instance\":" + Json.string(instance) + "}")
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		// GET /download/{bytes}: streams that many bytes, chunked
		server.createContext("/download", exchange -> {
			long remaining = Long.parseLong(exchange.getRequestURI().getPath().substring(10));
			exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
			exchange.sendResponseHeaders(200, 0);
			byte[] chunk = new byte[CHUNK];
			try (OutputStream out = exchange.getResponseBody()) {
				while (remaining > 0) {
					int size = (int) Math.min(chunk.length, remaining);
					out.write(chunk, 0, size);
					remaining -= size;
				}
			}
			catch (IOException ex) {
				exchange.close(); // the caller went away
			}
		});
	}
}
