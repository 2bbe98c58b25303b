package io.meshgate.model;

import java.net.URI;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What every proxy reports of the requests it carries besides its metrics: traces and access logs. One setting for
 * the edge and every agent, applied on commit like the routes.
 *
 * @param tracing   spans per hop and W3C trace context between hops; absent: no spans, trace headers pass unchanged
 * @param accessLog which requests get a JSON line in the proxy's access log
 */
public record Telemetry(Tracing tracing, @DefaultValue("none") AccessLog accessLog) {

	public static final Telemetry NONE = new Telemetry(null, AccessLog.NONE);

	public Telemetry {
		accessLog = accessLog == null ? AccessLog.NONE : accessLog;
	}

	/**
	 * @param endpoint where spans are sent: a Zipkin collector ({@code http://zipkin:9411/api/v2/spans}) or an OTLP/HTTP
	 *                 one ({@code http://collector:4318/v1/traces})
	 * @param format   the wire format the endpoint takes
	 * @param sampling the probability (0 to 1) that a new trace is recorded, decided at the first proxy it meets; the
	 *                 next proxies follow the decision it sent in {@code traceparent}
	 */
	public record Tracing(URI endpoint, @DefaultValue("zipkin") Format format,
			@DefaultValue("0.01") double sampling) {

		public Tracing {
			format = format == null ? Format.ZIPKIN : format;
		}
	}

	public enum Format {
		/** Zipkin's JSON v2 ({@code POST /api/v2/spans}) */
		ZIPKIN,
		/** OpenTelemetry's OTLP over HTTP, protobuf ({@code POST /v1/traces}) */
		OTLP
	}

	/** {@code none}, {@code sampled} (the requests whose trace is sampled) or {@code all}. */
	public enum AccessLog {
		NONE, SAMPLED, ALL
	}
}
