package io.meshgate.proxy.telemetry;

import java.util.List;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigApplier;
import io.meshgate.model.Telemetry;
import io.meshgate.proxy.core.ExchangeObserver;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What a proxy reports of each exchange besides its golden metrics: a span per hop and an access log line, both set
 * by {@code mesh.telemetry} in config-repo and applied with the rest of a config. One per process; every listener's
 * pipeline observes through {@link #observer()}.
 */
public final class ProxyTelemetry implements ConfigApplier, AutoCloseable {

	private final HopTracing tracing;

	private final AccessLog accessLog;

	private final ExchangeObserver observer;

	/** @param proxy this proxy's name in spans and log lines: {@code gateway}, {@code agent-node-a} */
	public ProxyTelemetry(String proxy, MeterRegistry registry) {
		this(new HopTracing(proxy, registry), new AccessLog(proxy, registry));
	}

	ProxyTelemetry(HopTracing tracing, AccessLog accessLog) {
		this.tracing = tracing;
		this.accessLog = accessLog;
		// tracing first: the access log reads the span it started
		this.observer = ExchangeObserver.of(List.of(tracing, accessLog));
	}

	public ExchangeObserver observer() {
		return observer;
	}

	@Override
	public void apply(AppliedConfig config) {
		apply(config.model().telemetry());
	}

	public synchronized void apply(Telemetry telemetry) {
		tracing.configure(telemetry.tracing());
		accessLog.mode(telemetry.accessLog());
	}

	@Override
	public void close() {
		tracing.close();
		accessLog.close();
	}
}
