package io.meshgate.proxy.telemetry;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.sampler.Sampler;
import io.meshgate.model.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import brave.propagation.TraceContext;
import io.micrometer.tracing.brave.bridge.BraveSpan;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.netty.handler.codec.http.HttpHeaders;
import zipkin2.reporter.BytesEncoder;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.ReporterMetrics;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;
import zipkin2.reporter.brave.MutableSpanBytesEncoder;
import zipkin2.reporter.otel.brave.OtlpProtoV1Encoder;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * One span exporter: a Brave tracer with W3C trace context (micrometer-tracing's), its spans handed out as
 * micrometer-tracing {@link Span}s, reporting to one collector in one format through
 * zipkin-reporter's async handler. Spans wait in its bounded queue (at most {@link #QUEUED_SPANS}) and leave in
 * batches from its own thread, so a slow or absent collector never holds a request: when the queue is full, spans are
 * dropped and counted ({@code meshgate_tracing_spans_dropped_total}).
 */
final class SpanExport implements AutoCloseable {

	static final int QUEUED_SPANS = 10_000;

	private final Telemetry.Tracing settings;

	private final Tracing tracing;

	private final AsyncZipkinSpanHandler handler;

	private final TraceContext.Extractor<HttpHeaders> extractor;

	private final TraceContext.Injector<HttpHeaders> injector;

	SpanExport(String serviceName, Telemetry.Tracing settings, Sampler sampler, MeterRegistry registry) {
		this.settings = settings;
		boolean otlp = settings.format() == Telemetry.Format.OTLP;
		URLConnectionSender sender = URLConnectionSender.newBuilder()
			.endpoint(settings.endpoint().toString())
			.encoding(otlp ? Encoding.PROTO3 : Encoding.JSON)
			.compressionEnabled(false)
			// a collector that does not answer costs the sending thread this long, and the spans of that batch
			.connectTimeout(1_000)
			.readTimeout(5_000)
			.build();
		BytesEncoder<MutableSpan> encoder = otlp ? OtlpProtoV1Encoder.create() : MutableSpanBytesEncoder.JSON_V2;
		this.handler = AsyncZipkinSpanHandler.newBuilder(sender)
			.queuedMaxSpans(QUEUED_SPANS)
			.metrics(new Meters(registry))
			.build(encoder);
		this.tracing = Tracing.newBuilder()
			.localServiceName(serviceName)
			.sampler(sampler)
			.traceId128Bit(true) // W3C trace ids are 128 bits
			.supportsJoin(false) // a span per hop: never share the caller's span id
			.propagationFactory(new W3CPropagation())
			.addSpanHandler(handler)
			.build();
		// made once: micrometer-tracing's Propagator makes an extractor or an injector per call, and its Span.Builder two
		// collections per span, for every request, sampled or not
		this.extractor = tracing.propagation().extractor(HttpHeaders::get);
		this.injector = tracing.propagation().injector(HttpHeaders::set);
	}

	/**
	 * This hop's span, a child of the caller's trace context in {@code incoming} (a new trace when there is none,
	 * sampled at the configured rate), started, when it is recorded, at {@code startNanos} (the request head's
	 * {@link System#nanoTime()}). An unsampled span costs a trace context and no more.
	 */
	Span start(HttpHeaders incoming, Span.Kind kind, long startNanos) {
		brave.Span span = tracing.tracer().nextSpan(extractor.extract(incoming));
		if (!span.isNoop()) {
			long elapsedMicros = (System.nanoTime() - startNanos) / 1_000;
			span.kind(kind == Span.Kind.CLIENT ? brave.Span.Kind.CLIENT : brave.Span.Kind.SERVER)
				.start(epochMicros() - elapsedMicros);
		}
		return BraveSpan.fromBrave(span);
	}

	private static long epochMicros() {
		java.time.Instant now = java.time.Instant.now(); // microseconds on Linux, where currentTimeMillis has only ms
		return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
	}

	/** Writes {@code span}'s trace context into the request to the next hop, as its parent. */
	void inject(Span span, HttpHeaders outgoing) {
		injector.inject(BraveSpan.toBrave(span).context(), outgoing);
	}

	/** Whether this exporter already sends where {@code other} says, the same way (a sampling change needs no new one). */
	boolean sendsLike(Telemetry.Tracing other) {
		return settings.endpoint().equals(other.endpoint()) && settings.format() == other.format();
	}

	/** Sends what is queued, then stops. */
	@Override
	public void close() {
		tracing.close();
		handler.flush();
		handler.close();
	}

	/** zipkin-reporter's counts, as the proxy's meters: what was sent and what had to be dropped. */
	private static final class Meters implements ReporterMetrics {

		private final Counter recorded;

		private final Counter dropped;

		Meters(MeterRegistry registry) {
			this.recorded = Counter.builder("meshgate.tracing.spans")
				.description("Sampled spans handed to the exporter")
				.register(registry);
			this.dropped = Counter.builder("meshgate.tracing.spans.dropped")
				.description("Spans dropped: the export queue was full, or the collector failed or could not be reached")
				.register(registry);
		}

		@Override
		public void incrementMessages() {
		}

		@Override
		public void incrementMessagesDropped(Throwable cause) {
		}

		@Override
		public void incrementSpans(int quantity) {
			recorded.increment(quantity);
		}

		@Override
		public void incrementSpanBytes(int quantity) {
		}

		@Override
		public void incrementMessageBytes(int quantity) {
		}

		@Override
		public void incrementSpansDropped(int quantity) {
			dropped.increment(quantity);
		}

		@Override
		public void updateQueuedSpans(int update) {
		}

		@Override
		public void updateQueuedBytes(int update) {
		}
	}
}
