package io.meshgate.proxy.telemetry;

import brave.sampler.BoundarySampler;
import brave.sampler.Sampler;
import io.meshgate.model.Telemetry;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A span per hop, as an exchange observer, so both transports and both planes trace alike: started when the exchange
 * begins, as a child of the caller's W3C {@code traceparent} (a new trace when there is none, sampled at the
 * configured rate), handed to the upstream in the forwarded request's {@code traceparent}, tagged and ended with the
 * exchange. Off (nothing started, trace headers pass as they came) until the config names a collector.
 * <p>
 * Span kinds follow the hop: the edge's ingress and an agent's inbound are servers, an agent's outbound a client, so
 * Zipkin's dependency graph draws gateway -> node -> node.
 */
public final class HopTracing implements ExchangeObserver {

	private final String serviceName;

	private final MeterRegistry registry;

	private final RateSampler sampler = new RateSampler();

	private volatile SpanExport export;

	/**
	 * @param serviceName the proxy in every span it reports ({@code gateway}, {@code agent-node-a})
	 * @param registry    where the exporter's counts go
	 */
	public HopTracing(String serviceName, MeterRegistry registry) {
		this.serviceName = serviceName;
		this.registry = registry;
	}

	/**
	 * Applies a config's tracing settings: a new sampling rate takes effect at once; a new collector gets a new
	 * exporter and the old one sends what it holds and stops. {@code null}: off.
	 */
	public synchronized void configure(Telemetry.Tracing settings) {
		SpanExport current = export;
		if (settings == null) {
			export = null;
			closeQuietly(current);
			return;
		}
		sampler.rate(settings.sampling());
		if (current != null && current.sendsLike(settings)) {
			return;
		}
		export = new SpanExport(serviceName, settings, sampler, registry);
		if (current != null) {
			// in the background: flushing to the old collector must not hold up the config being applied
			Thread closing = new Thread(current::close, "meshgate-span-export-close");
			closing.setDaemon(true);
			closing.start();
		}
	}

	/** Whether spans are being recorded (a collector is configured). */
	public boolean enabled() {
		return export != null;
	}

	public synchronized void close() {
		configure(null);
	}

	@Override
	public void begun(Exchange exchange) {
		SpanExport current = export;
		if (current == null) {
			return;
		}
		exchange.span(current.start(exchange.head().headers(),
				exchange.head().direction() == Direction.OUTBOUND ? Span.Kind.CLIENT : Span.Kind.SERVER,
				exchange.startNanos()));
	}

	@Override
	public void forwarding(Exchange exchange, HttpHeaders outgoing) {
		Span span = exchange.span();
		SpanExport current = export;
		if (span != null && current != null) {
			current.inject(span, outgoing);
		}
	}

	@Override
	public void ended(Exchange exchange) {
		Span span = exchange.span();
		if (span == null) {
			return;
		}
		if (!span.isNoop()) {
			tag(span, exchange);
		}
		span.end();
	}

	/** Only for a recorded span: most requests are not sampled and pay for none of this. */
	private static void tag(Span span, Exchange exchange) {
		Outcome outcome = exchange.outcome();
		span.name(exchange.head().method().name() + ' ' + exchange.route());
		span.remoteServiceName(exchange.destination());
		span.tag("meshgate.direction", exchange.head().direction().label());
		span.tag("meshgate.route", exchange.route());
		span.tag("meshgate.source", exchange.meters().source());
		span.tag("meshgate.destination", exchange.destination());
		span.tag("meshgate.outcome", outcome.label());
		span.tag("http.method", exchange.head().method().name());
		span.tag("http.path", exchange.head().path());
		if (exchange.status() > 0) {
			span.tag("http.status_code", Integer.toString(exchange.status()));
		}
		if (exchange.head().peerIdentity() != null) {
			span.tag("meshgate.peer.identity", exchange.head().peerIdentity());
		}
		if (exchange.endpoint() != null) {
			span.tag("meshgate.endpoint.node", exchange.endpoint().node());
			span.tag("meshgate.endpoint.address", exchange.endpoint().address());
		}
		if (outcome != Outcome.SUCCESS) {
			span.tag("error", outcome.label());
		}
	}

	private static void closeQuietly(SpanExport export) {
		if (export != null) {
			export.close();
		}
	}

	/**
	 * The config's rate, swapped whole when it changes: Brave's boundary sampler, which decides by the new trace id's
	 * bits (random) and so shares no counter between event loops, as its counting sampler would on every request.
	 */
	static final class RateSampler extends Sampler {

		private volatile double rate = -1;

		private volatile Sampler delegate = Sampler.NEVER_SAMPLE;

		void rate(double rate) {
			if (rate != this.rate) {
				this.delegate = rate <= 0 ? Sampler.NEVER_SAMPLE : rate >= 1 ? Sampler.ALWAYS_SAMPLE
						: rate < 0.0001 ? Sampler.create((float) rate) : BoundarySampler.create((float) rate);
				this.rate = rate;
			}
		}

		@Override
		public boolean isSampled(long traceId) {
			return delegate.isSampled(traceId);
		}
	}
}
