package io.meshgate.client.controlplane;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.model.protocol.TrustBundle;
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane's server-sent events, read line by line. Comment lines are heartbeats: they only prove the
 * stream alive. {@link #close()} from another thread ends a blocked {@link #next()}.
 */
public class WatchStream implements Closeable {

	private final InputStream body;

	private final BufferedReader reader;

	private final JsonMapper json;

	private volatile long lastActivity = System.nanoTime();

	WatchStream(InputStream body, JsonMapper json) {
		this.body = body;
		this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
		this.json = json;
	}

	/** @return the next event; {@code null} when the stream ended. Unknown event names are skipped. */
	public WatchEvent next() throws IOException {
		String event = null;
		StringBuilder data = new StringBuilder();
		String line;
		while ((line = reader.readLine()) != null) {
			lastActivity = System.nanoTime();
			if (line.isEmpty()) {
				if (MeshApi.VERSION_EVENT.equals(event) && data.length() > 0) {
					return new WatchEvent.Version(json.readValue(data.toString(), CommitStatus.class));
				}
				if (MeshApi.ENDPOINTS_EVENT.equals(event) && data.length() > 0) {
					return new WatchEvent.Endpoints(json.readValue(data.toString(), EndpointSet.class));
				}
				if (MeshApi.BUNDLE_EVENT.equals(event) && data.length() > 0) {
					return new WatchEvent.Bundle(json.readValue(data.toString(), TrustBundle.class));
				}
				event = null;
				data.setLength(0);
			}
			else if (line.startsWith("event:")) {
				event = line.substring(6).trim();
			}
			else if (line.startsWith("data:")) {
				data.append(line.substring(5).trim());
			}
		}
		return null;
	}

	/** {@link System#nanoTime()} of the last line read, heartbeats included. */
	public long lastActivity() {
		return lastActivity;
	}

	@Override
	public void close() throws IOException {
		body.close();
	}
}
