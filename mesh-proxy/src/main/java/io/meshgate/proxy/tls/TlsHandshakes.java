package io.meshgate.proxy.tls;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts a proxy's TLS handshakes: {@code meshgate_tls_handshakes_total{side, outcome, reason}}, {@code side}
 * {@code upstream} (the proxy as a client), {@code outcome} {@code success} or {@code failure}, {@code reason} a
 * {@link TlsFailure} label or {@code none}. Handshakes are rare (connections are pooled), so a failure's counter is
 * looked up when it happens; the success counter is resolved once.
 */
public final class TlsHandshakes {

	/** Counts nothing: for a proxy built without a registry. */
	public static final TlsHandshakes NONE = new TlsHandshakes(null, "upstream");

	private final MeterRegistry registry;

	private final String side;

	private final Counter successes;

	private final Map<TlsFailure, Counter> failures = new ConcurrentHashMap<>();

	public TlsHandshakes(MeterRegistry registry, String side) {
		this.registry = registry;
		this.side = side;
		this.successes = registry == null ? null : counter("success", "none");
	}

	public void succeeded() {
		if (successes != null) {
			successes.increment();
		}
	}

	/** @param failure what the handshake failed with (an {@code SSLException} somewhere in its causes) */
	public void failed(Throwable failure) {
		if (registry == null) {
			return;
		}
		String reason = UpstreamTls.failureReason(failure);
		TlsFailure kind = reason == null ? TlsFailure.OTHER : TlsFailure.of(reason);
		failures.computeIfAbsent(kind, k -> counter("failure", k.label())).increment();
	}

	private Counter counter(String outcome, String reason) {
		return Counter.builder("meshgate.tls.handshakes")
			.description("TLS handshakes of this proxy, by side, outcome and the reason of a failure")
			.tag("side", side)
			.tag("outcome", outcome)
			.tag("reason", reason)
			.register(registry);
	}
}
