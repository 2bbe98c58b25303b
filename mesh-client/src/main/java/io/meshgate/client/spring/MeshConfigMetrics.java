package io.meshgate.client.spring;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigSync;
import io.meshgate.client.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Config sync metrics, the same in every proxy: {@code meshgate_config_applied_total},
 * {@code meshgate_config_rejected_total}, {@code meshgate_config_control_plane_connected} and
 * {@code meshgate_config_last_applied_seconds} (epoch seconds of the applied config), and
 * {@code meshgate_config_info{version="<commit>"} 1} for the config in service, so any series of the proxy joins to
 * the commit it was served under.
 */
public class MeshConfigMetrics implements MeterBinder, ConfigSync.Listener {

	private final ConfigSync sync;

	private volatile MeterRegistry registry;

	private Gauge info;

	public MeshConfigMetrics(ConfigSync sync) {
		this.sync = sync;
		sync.addListener(this);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		Gauge.builder("meshgate.config.control.plane.connected", sync, s -> s.state().connected() ? 1 : 0)
			.description("1 while the watch stream to the control plane is open")
			.register(registry);
		Gauge.builder("meshgate.config.last.applied", sync, s -> {
			AppliedConfig applied = s.state().applied();
			return applied == null ? Double.NaN : applied.appliedAt().toEpochMilli() / 1000.0;
		}).baseUnit("seconds").description("When the config in service was applied (epoch seconds)").register(registry);
		rejected(registry); // at 0 from the start: the first rejection is then an increase an alert sees
		AppliedConfig applied = sync.state().applied();
		if (applied != null) {
			info(registry, applied.version());
		}
	}

	/** One series, for the version in service: the previous version's is removed. */
	private synchronized void info(MeterRegistry registry, String version) {
		if (info != null) {
			if (version.equals(info.getId().getTag("version"))) {
				return;
			}
			registry.remove(info);
		}
		info = Gauge.builder("meshgate.config.info", () -> 1)
			.tag("version", version)
			.description("1 for the config version (commit) this proxy serves")
			.register(registry);
	}

	@Override
	public void applied(AppliedConfig config) {
		MeterRegistry current = registry;
		if (current != null) {
			Counter.builder("meshgate.config.applied")
				.tag("origin", config.originName())
				.description("Configs applied")
				.register(current)
				.increment();
			info(current, config.version());
		}
	}

	@Override
	public void rejected(Rejection rejection) {
		MeterRegistry current = registry;
		if (current != null) {
			rejected(current).increment();
		}
	}

	private static Counter rejected(MeterRegistry registry) {
		return Counter.builder("meshgate.config.rejected").description("Config versions rejected").register(registry);
	}
}
