package io.meshgate.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.meshgate.model.Telemetry;
import io.meshgate.proxy.core.Direction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * A span per hop through {@link HopTracing}: the trace context it sends on, the sampling decision it takes or follows,
 * a config change of rate or collector, and the OTLP format, read back by a real HTTP collector with OpenTelemetry's
 * own protobuf classes. (Zipkin's format is tested against a real Zipkin in the e2e suite.)
 */
class HopTracingTest {

	private static final String CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<byte[]> received = new CopyOnWriteArrayList<>();

	private final List<String> contentTypes = new CopyOnWriteArrayList<>();

	private final List<byte[]> receivedElsewhere = new CopyOnWriteArrayList<>();

	private HttpServer collector;

	private HopTracing tracing;

	@BeforeEach
	void start() throws IOException {
		collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		collector.createContext("/v1/traces", exchange -> {
			received.add(exchange.getRequestBody().readAllBytes());
			contentTypes.add(exchange.getRequestHeaders().getFirst("content-type"));
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		collector.createContext("/elsewhere/v1/traces", exchange -> {
			receivedElsewhere.add(exchange.getRequestBody().readAllBytes());
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		collector.start();
		tracing = new HopTracing("gateway", registry);
	}

	@AfterEach
	void stop() {
		tracing.close();
		collector.stop(0);
	}

	private Telemetry.Tracing otlp(double sampling) {
		return new Telemetry.Tracing(URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces"),
				Telemetry.Format.OTLP, sampling);
	}

	@Test
	void offItStartsNothingAndTheCallersTraceContextPassesAsItCame() {
		HttpHeaders sent = Exchanges.forward(tracing, Direction.INGRESS,
				new DefaultHttpHeaders().add("traceparent", "00-" + CALLER_TRACE + "-b7ad6b7169203331-01"));
		assertThat(sent.get("traceparent")).isEqualTo("00-" + CALLER_TRACE + "-b7ad6b7169203331-01");
		assertThat(tracing.enabled()).isFalse();
	}

	@Test
	void aHopContinuesTheCallersTraceAsItsChildAndSendsItsOwnSpanOnInOtlp() throws Exception {
		tracing.configure(otlp(0.0)); // the caller's decision wins over the rate
		HttpHeaders sent = Exchanges.forward(tracing, Direction.OUTBOUND,
				new DefaultHttpHeaders().add("traceparent", "00-" + CALLER_TRACE + "-b7ad6b7169203331-01"));
		String[] parts = sent.get("traceparent").split("-");
		assertThat(parts[1]).isEqualTo(CALLER_TRACE);
		assertThat(parts[2]).isNotEqualTo("b7ad6b7169203331").hasSize(16);
		assertThat(parts[3]).isEqualTo("01");
		tracing.close(); // sends what is queued

		await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
		assertThat(contentTypes).containsOnly("application/x-protobuf");
		List<Span> spans = received.stream()
			.map(HopTracingTest::parse)
			.flatMap(request -> request.getResourceSpansList().stream())
			.flatMap(resource -> resource.getScopeSpansList().stream())
			.flatMap(scope -> scope.getSpansList().stream())
			.toList();
		assertThat(spans).hasSize(1);
		Span span = spans.get(0);
		assertThat(hex(span.getTraceId().toByteArray())).isEqualTo(CALLER_TRACE);
		assertThat(hex(span.getParentSpanId().toByteArray())).isEqualTo("b7ad6b7169203331");
		assertThat(hex(span.getSpanId().toByteArray())).isEqualTo(parts[2]);
		assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
		assertThat(span.getName()).isEqualTo("GET orders-api");
		Map<String, String> attributes = span.getAttributesList()
			.stream()
			.collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (a, b) -> a));
		assertThat(attributes).containsEntry("meshgate.direction", "outbound")
			.containsEntry("meshgate.route", "orders-api")
			.containsEntry("meshgate.destination", "orders")
			.containsEntry("meshgate.outcome", "success")
			// zipkin-otel's encoder names HTTP's tags by OpenTelemetry's semantic conventions
			.containsEntry("http.response.status_code", "200")
			.containsEntry("http.request.method", "GET")
			.containsEntry("url.path", "/api/orders/7")
			.containsEntry("peer.service", "orders");
		assertThat(span.getEndTimeUnixNano()).isGreaterThanOrEqualTo(span.getStartTimeUnixNano());
	}

	@Test
	void aRequestWithoutContextStartsATraceSampledAtTheConfiguredRateAndTheRateIsAConfigChange() {
		tracing.configure(otlp(1.0));
		String[] first = Exchanges.forward(tracing).get("traceparent").split("-");
		assertThat(first[1]).hasSize(32);
		assertThat(first[3]).isEqualTo("01");

		tracing.configure(otlp(0.0));
		String[] unsampled = Exchanges.forward(tracing).get("traceparent").split("-");
		assertThat(unsampled[1]).hasSize(32).isNotEqualTo(first[1]);
		assertThat(unsampled[3]).as("the next hops follow: not recorded anywhere").isEqualTo("00");
		// a caller that decided not to record is followed too
		HttpHeaders sent = Exchanges.forward(tracing, Direction.INBOUND,
				new DefaultHttpHeaders().add("traceparent", "00-" + CALLER_TRACE + "-b7ad6b7169203331-00"));
		assertThat(sent.get("traceparent")).startsWith("00-" + CALLER_TRACE + "-").endsWith("-00");
	}

	@Test
	void aCommitNamingAnotherCollectorSendsTheNextSpansThereAndTheOldExporterDeliversWhatItHeld() {
		tracing.configure(otlp(1.0));
		Exchanges.forward(tracing);
		tracing.configure(new Telemetry.Tracing(
				URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/elsewhere/v1/traces"),
				Telemetry.Format.OTLP, 1.0));
		Exchanges.forward(tracing);
		tracing.close();
		await().atMost(Duration.ofSeconds(5)).until(() -> spanCount(received) == 1 && spanCount(receivedElsewhere) == 1);
	}

	private static long spanCount(List<byte[]> bodies) {
		return bodies.stream()
			.map(HopTracingTest::parse)
			.flatMap(request -> request.getResourceSpansList().stream())
			.flatMap(resource -> resource.getScopeSpansList().stream())
			.mapToLong(scope -> scope.getSpansCount())
			.sum();
	}

	@Test
	void aCollectorThatIsDownCostsDroppedSpansOnly() {
		tracing.configure(new Telemetry.Tracing(URI.create("http://127.0.0.1:1/api/v2/spans"), Telemetry.Format.ZIPKIN,
				1.0));
		for (int i = 0; i < 10; i++) {
			assertThat(Exchanges.forward(tracing).get("traceparent")).endsWith("-01");
		}
		tracing.close();
		assertThat(registry.get("meshgate.tracing.spans.dropped").counter().count()).isEqualTo(10);
	}

	private static ExportTraceServiceRequest parse(byte[] body) {
		try {
			return ExportTraceServiceRequest.parseFrom(body);
		}
		catch (com.google.protobuf.InvalidProtocolBufferException ex) {
			throw new AssertionError(ex);
		}
	}

	private static String hex(byte[] bytes) {
		return java.util.HexFormat.of().formatHex(bytes);
	}
}
