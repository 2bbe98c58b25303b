package io.meshgate.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.meshgate.model.Telemetry;
import io.meshgate.proxy.core.Direction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AccessLogTest {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void writesOneJsonLinePerExchangeWithWhatHappenedAndNeverTheQuery() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (AccessLog log = new AccessLog("gateway", registry, out, 16)) {
			log.mode(Telemetry.AccessLog.ALL);
			Exchanges.forward(log, Direction.INGRESS,
					new DefaultHttpHeaders().add("x-request-id", "req\"},{\"forged\":1"));
		}
		String text = out.toString(StandardCharsets.UTF_8);
		assertThat(text.lines()).hasSize(1);
		JsonNode line = JsonMapper.builder().build().readTree(text);
		assertThat(line.path("proxy").asString()).isEqualTo("gateway");
		assertThat(line.path("direction").asString()).isEqualTo("ingress");
		assertThat(line.path("method").asString()).isEqualTo("GET");
		assertThat(line.path("path").asString()).isEqualTo("/api/orders/7");
		assertThat(line.path("route").asString()).isEqualTo("orders-api");
		assertThat(line.path("destination").asString()).isEqualTo("orders");
		assertThat(line.path("client").asString()).isEqualTo("10.0.0.9");
		assertThat(line.path("status").asInt()).isEqualTo(200);
		assertThat(line.path("outcome").asString()).isEqualTo("success");
		assertThat(line.path("response_bytes").asLong()).isEqualTo(42);
		assertThat(line.path("request_id").asString()).as("escaped, not JSON of the caller's")
			.isEqualTo("req\"},{\"forged\":1");
		assertThat(line.has("forged")).isFalse();
		assertThat(line.has("duration_ms")).isTrue();
		assertThat(text).doesNotContain("secret");
		assertThat(registry.get("meshgate.access.log.lines").counter().count()).isEqualTo(1);
	}

	@Test
	void logsNothingWhenOffAndOnlyTracedRequestsWhenSampled() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (AccessLog log = new AccessLog("gateway", registry, out, 16)) {
			Exchanges.forward(log);
			log.mode(Telemetry.AccessLog.SAMPLED);
			Exchanges.forward(log); // no span at all: tracing is off
		}
		assertThat(out.size()).isZero();
	}

	@Test
	void aWriterThatFallsBehindCostsDroppedLinesNeverABlockedRequest() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch writing = new CountDownLatch(1);
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		OutputStream stuck = new OutputStream() {

			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				writing.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					throw new IOException(ex);
				}
				written.write(b, off, len);
			}
		};
		try (AccessLog log = new AccessLog("agent-node-a", registry, stuck, 4)) {
			log.mode(Telemetry.AccessLog.ALL);
			Exchanges.forward(log);
			assertThat(writing.await(5, TimeUnit.SECONDS)).as("the writer is stuck writing the first line").isTrue();
			long start = System.nanoTime();
			for (int i = 0; i < 100; i++) {
				Exchanges.forward(log);
			}
			// 100 requests while the log is stuck: none waited for it
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
			assertThat(registry.get("meshgate.access.log.dropped").counter().count()).isEqualTo(96);
			release.countDown();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> registry.get("meshgate.access.log.lines").counter().count() == 5);
		}
		assertThat(written.toString(StandardCharsets.UTF_8).lines()).hasSize(5);
	}
}
