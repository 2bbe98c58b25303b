package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the tests: status and body, JSON when asked. */
public final class Http {

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Http() {
	}

	public record Response(int status, String body) {

		public JsonNode json() {
			return JSON.readTree(body);
		}
	}

	/** GET; a refused connection is status -1, so that waits can poll through restarts. */
	public static Response get(String url) {
		return get(url, java.util.Map.of());
	}

	/** GET with these request headers. */
	public static Response get(String url, java.util.Map<String, String> headers) {
		try {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
			headers.forEach(request::header);
			HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body());
		}
		catch (IOException ex) {
			return new Response(-1, ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public static JsonNode json(String url) {
		Response response = get(url);
		if (response.status() != 200) {
			throw new UncheckedIOException(new IOException("GET " + url + " answered " + response.status() + ": "
					+ response.body()));
		}
		return response.json();
	}
}
