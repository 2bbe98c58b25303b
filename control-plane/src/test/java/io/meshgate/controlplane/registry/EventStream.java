package io.meshgate.controlplane.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real subscription to the watch stream, read line by line on its own thread into named events. The reader closes
 * the stream itself once asked to stop, at the next line (heartbeats keep lines coming): a {@code BufferedReader}
 * blocked in a read cannot be closed from another thread.
 */
final class EventStream implements AutoCloseable {

	record Event(String name, String data) {
	}

	private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

	private final HttpResponse<Stream<String>> response;

	private final Thread reader;

	private volatile boolean stopped;

	private EventStream(HttpResponse<Stream<String>> response) {
		this.response = response;
		this.reader = new Thread(this::read, "test-event-stream");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	static EventStream open(HttpClient http, URI uri) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build();
		return new EventStream(http.send(request, HttpResponse.BodyHandlers.ofLines()));
	}

	HttpResponse<Stream<String>> response() {
		return response;
	}

	/** @return the next event, whatever its name; fails when none arrives within the deadline */
	Event next(Duration deadline) throws InterruptedException {
		Event event = events.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
		if (event == null) {
			throw new AssertionError("no event within " + deadline.toMillis() + " ms");
		}
		return event;
	}

	private void read() {
		try (Stream<String> lines = response.body()) {
			Iterator<String> it = lines.iterator();
			String name = null;
			StringBuilder data = new StringBuilder();
			while (!stopped && it.hasNext()) {
				String line = it.next();
				if (line.isEmpty()) {
					if (name != null) {
						events.add(new Event(name, data.toString()));
					}
					name = null;
					data.setLength(0);
				}
				else if (line.startsWith("event:")) {
					name = line.substring(6).trim();
				}
				else if (line.startsWith("data:")) {
					data.append(line.substring(5).trim());
				}
			}
		}
		catch (RuntimeException ex) {
			// the connection ended; a test waiting for an event fails on its deadline
		}
	}

	@Override
	public void close() throws InterruptedException {
		stopped = true;
		reader.join(Duration.ofSeconds(5).toMillis());
	}
}
