package io.meshgate.proxy.telemetry;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.meshgate.model.Telemetry;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * One JSON line per request and hop, as an exchange observer (so both transports and planes log alike): what was
 * asked (method, path without its query, which may carry secrets), how it was routed (direction, route, source,
 * destination, the caller's verified identity, the endpoint), and how it went (status, outcome, bytes, total and
 * upstream durations), with the trace and request ids that tie it to the trace and the proxy's answer.
 * <p>
 * The event loop only copies a few fields into a {@link Line} and offers it to a bounded queue; a writer thread formats
 * and writes lines in batches. When the queue is full the line is dropped and counted
 * ({@code meshgate_access_log_dropped_total}): a slow log never holds a request. {@code none}, {@code sampled} (the
 * requests whose trace is sampled, to read beside their traces) or {@code all}, set in config-repo.
 */
public final class AccessLog implements ExchangeObserver, AutoCloseable {

	static final int QUEUE = 8_192;

	private static final JsonFactory JSON = new JsonFactory();

	private final String proxy;

	private final BlockingQueue<Line> queue;

	private final PrintStream out;

	private final Counter written;

	private final Counter dropped;

	private final Thread writer;

	private volatile Telemetry.AccessLog mode = Telemetry.AccessLog.NONE;

	private volatile boolean closed;

	/** Writes to standard output, where container platforms collect a process's logs. */
	public AccessLog(String proxy, MeterRegistry registry) {
		this(proxy, registry, System.out, QUEUE);
	}

	AccessLog(String proxy, MeterRegistry registry, OutputStream out, int capacity) {
		this.proxy = proxy;
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.out = out instanceof PrintStream print ? print : new PrintStream(out, false, StandardCharsets.UTF_8);
		this.written = Counter.builder("meshgate.access.log.lines")
			.description("Access log lines written")
			.register(registry);
		this.dropped = Counter.builder("meshgate.access.log.dropped")
			.description("Access log lines dropped because the writer fell behind (its queue was full)")
			.register(registry);
		this.writer = new Thread(this::drain, "meshgate-access-log");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	public void mode(Telemetry.AccessLog mode) {
		this.mode = mode;
	}

	public Telemetry.AccessLog mode() {
		return mode;
	}

	@Override
	public void ended(Exchange exchange) {
		Telemetry.AccessLog current = mode;
		if (current == Telemetry.AccessLog.NONE) {
			return;
		}
		Span span = exchange.span();
		boolean sampled = span != null && !span.isNoop();
		if (current == Telemetry.AccessLog.SAMPLED && !sampled) {
			return;
		}
		if (!queue.offer(new Line(System.currentTimeMillis(), exchange, span))) {
			dropped.increment();
		}
	}

	private void drain() {
		List<Line> batch = new ArrayList<>(256);
		StringBuilder text = new StringBuilder(16_384);
		while (!closed || !queue.isEmpty()) {
			try {
				Line first = queue.poll(200, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				queue.drainTo(batch, 255);
				for (Line line : batch) {
					line.appendTo(text, proxy);
				}
				out.print(text);
				out.flush();
				written.increment(batch.size());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				dropped.increment(batch.size()); // a line that cannot be written is a dropped line; the writer goes on
			}
			finally {
				batch.clear();
				text.setLength(0);
			}
		}
	}

	/** Writes what is queued, then stops the writer. */
	@Override
	public void close() {
		closed = true;
		try {
			writer.join(2_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** What the line needs from an exchange, copied on the event loop: the exchange itself is not kept. */
	private static final class Line {

		private final long time;

		private final String direction;

		private final String method;

		private final String path;

		private final String protocol;

		private final String route;

		private final String source;

		private final String destination;

		private final String peer;

		private final String client;

		private final String endpoint;

		private final int status;

		private final String outcome;

		private final long requestBytes;

		private final long responseBytes;

		private final long durationMicros;

		private final long upstreamMicros;

		private final String traceId;

		private final String spanId;

		private final String requestId;

		Line(long time, Exchange exchange, Span span) {
			this.time = time;
			this.direction = exchange.head().direction().label();
			this.method = exchange.head().method().name();
			this.path = exchange.head().path();
			this.protocol = exchange.head().protocol().name();
			this.route = exchange.route();
			this.source = exchange.meters().source();
			this.destination = exchange.destination();
			this.peer = exchange.head().peerIdentity();
			this.client = exchange.head().client() == null ? null
					: exchange.head().client().getAddress() == null ? exchange.head().client().getHostString()
							: exchange.head().client().getAddress().getHostAddress();
			this.endpoint = exchange.endpoint() == null ? null : exchange.endpoint().address();
			this.status = exchange.status();
			this.outcome = exchange.outcome().label();
			this.requestBytes = exchange.requestBytes();
			this.responseBytes = exchange.responseBytes();
			this.durationMicros = exchange.durationNanos() / 1_000;
			this.upstreamMicros = exchange.upstreamNanos() / 1_000;
			this.traceId = span == null ? null : span.context().traceId();
			this.spanId = span == null || span.isNoop() ? null : span.context().spanId();
			this.requestId = exchange.answer() != null ? exchange.requestId()
					: exchange.head().headers().get(io.meshgate.proxy.core.RequestIds.HEADER);
		}

		void appendTo(StringBuilder text, String proxy) {
			java.io.StringWriter buffer = new java.io.StringWriter(512);
			try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), buffer)) {
				json.writeStartObject();
				json.writeStringProperty("time", Instant.ofEpochMilli(time).toString());
				json.writeStringProperty("proxy", proxy);
				json.writeStringProperty("direction", direction);
				json.writeStringProperty("method", method);
				json.writeStringProperty("path", path);
				json.writeStringProperty("protocol", protocol);
				json.writeStringProperty("route", route);
				json.writeStringProperty("source", source);
				json.writeStringProperty("destination", destination);
				optional(json, "peer", peer);
				optional(json, "client", client);
				optional(json, "endpoint", endpoint);
				json.writeNumberProperty("status", status);
				json.writeStringProperty("outcome", outcome);
				json.writeNumberProperty("request_bytes", requestBytes);
				json.writeNumberProperty("response_bytes", responseBytes);
				json.writeNumberProperty("duration_ms", durationMicros / 1000.0);
				if (upstreamMicros > 0) {
					json.writeNumberProperty("upstream_ms", upstreamMicros / 1000.0);
				}
				optional(json, "trace_id", traceId);
				optional(json, "span_id", spanId);
				optional(json, "request_id", requestId);
				json.writeEndObject();
			}
			text.append(buffer).append('\n');
		}

		private static void optional(JsonGenerator json, String name, String value) {
			if (value != null) {
				json.writeStringProperty(name, value);
			}
		}
	}
}
