package io.meshgate.proxy.mirror;

import io.meshgate.proxy.core.Direction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code meshgate_mirror_requests_total{direction, route, destination, outcome}} of one mirroring route, resolved when
 * the snapshot is built: {@code sent} (answered, whatever the status), {@code failed} (no answer: refused, reset,
 * timed out), {@code dropped} (too many copies in flight, or no endpoint), {@code skipped} (a request with a body).
 */
public final class MirrorMeters {

	private final Counter sent;

	private final Counter failed;

	private final Counter dropped;

	private final Counter skipped;

	MirrorMeters(MeterRegistry registry, Direction direction, String route, String destination) {
		this.sent = counter(registry, direction, route, destination, "sent");
		this.failed = counter(registry, direction, route, destination, "failed");
		this.dropped = counter(registry, direction, route, destination, "dropped");
		this.skipped = counter(registry, direction, route, destination, "skipped");
	}

	private static Counter counter(MeterRegistry registry, Direction direction, String route, String destination,
			String outcome) {
		return Counter.builder("meshgate.mirror.requests")
			.tags("direction", direction.label(), "route", route, "destination", destination, "outcome", outcome)
			.description("Copies of requests sent to a route's mirror service (shadow traffic), by what became of them")
			.register(registry);
	}

	public void sent() {
		sent.increment();
	}

	public void failed() {
		failed.increment();
	}

	public void dropped() {
		dropped.increment();
	}

	void skipped() {
		skipped.increment();
	}
}
