package io.meshgate.client.controlplane;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.meshgate.model.ConfigFileNames;
import io.meshgate.model.ConfigSource;
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads config from the control plane's config server API and opens its watch stream. Blocking; never on an event loop. */
public class ControlPlaneClient {

	private final URI base;

	private final Duration timeout;

	private final HttpClient http;

	private final JsonMapper json = JsonMapper.builder().build();

	/** @param http a client authenticated as this node ({@code Identities#controlPlane()}) */
	public ControlPlaneClient(URI base, HttpClient http, Duration timeout) {
		this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
		this.timeout = timeout;
		this.http = http;
	}

	public URI base() {
		return base;
	}

	/** The config of an application as the server merges it now: {@code GET /{application}/{profiles}}. */
	public FetchedConfig fetch(String application, String profiles) throws IOException, InterruptedException {
		URI uri = base.resolve(encode(application) + "/" + encode(profiles));
		HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException("GET " + uri + " answered " + response.statusCode() + ": " + brief(response.body()));
		}
		JsonNode environment = json.readTree(response.body());
		List<ConfigSource> sources = new ArrayList<>();
		for (JsonNode source : environment.path("propertySources")) {
			Map<String, Object> properties = new LinkedHashMap<>();
			for (var property : source.path("source").properties()) {
				JsonNode value = property.getValue();
				properties.put(property.getKey(), value.isValueNode() ? value.asString() : value.toString());
			}
			sources.add(new ConfigSource(ConfigFileNames.shorten(source.path("name").asString()), properties));
		}
		return new FetchedConfig(environment.path("version").asString(null), sources);
	}

	/** Opens {@code GET /mesh/v1/watch}; the caller reads events from the stream and closes it. */
	public WatchStream watch() throws IOException, InterruptedException {
		URI uri = base.resolve(MeshApi.WATCH.substring(1));
		HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build();
		HttpResponse<java.io.InputStream> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
			.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
			.handle((r, failure) -> r)
			.join();
		if (response == null) {
			throw new IOException("GET " + uri + ": no answer within " + timeout.toMillis() + " ms");
		}
		if (response.statusCode() != 200) {
			response.body().close();
			throw new IOException("GET " + uri + " answered " + response.statusCode());
		}
		return new WatchStream(response.body(), json);
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20").replace("%2C", ",");
	}

	private static String brief(String body) {
		String oneLine = body.replaceAll("\\s+", " ");
		return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
	}

	/**
	 * @param version the commit the server merged from
	 * @param sources its files, highest precedence first
	 */
	public record FetchedConfig(String version, List<ConfigSource> sources) {
	}
}
