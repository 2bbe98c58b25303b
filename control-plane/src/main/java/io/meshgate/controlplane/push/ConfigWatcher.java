package io.meshgate.controlplane.push;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.ControlPlaneProperties;
import io.meshgate.controlplane.git.GitHead;
import io.meshgate.controlplane.validation.CommitValidator;
import io.meshgate.model.ConfigError;
import io.meshgate.model.protocol.CommitStatus;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Polls Git for the label's head; on a new commit validates it and pushes its status to every subscriber. Runs on one
 * thread, so checks never overlap and statuses are published in commit order.
 */
@Component
public class ConfigWatcher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ConfigWatcher.class);

	private final GitHead gitHead;

	private final CommitValidator validator;

	private final WatchBroadcaster broadcaster;

	private final ControlPlaneProperties properties;

	private final MeterRegistry meterRegistry;

	private final String label;

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "meshgate-config-watcher");
		thread.setDaemon(true);
		return thread;
	});

	private volatile boolean running;

	private String lastHead;

	private String lastFailure;

	ConfigWatcher(GitHead gitHead, CommitValidator validator, WatchBroadcaster broadcaster,
			ControlPlaneProperties properties, MeterRegistry meterRegistry, Environment environment) {
		this.gitHead = gitHead;
		this.validator = validator;
		this.broadcaster = broadcaster;
		this.properties = properties;
		this.meterRegistry = meterRegistry;
		// both series from the start, at 0: the first invalid commit is then an increase an alert sees
		meterRegistry.counter("meshgate.controlplane.commits", "valid", "true");
		meterRegistry.counter("meshgate.controlplane.commits", "valid", "false");
		this.label = environment.getProperty("spring.cloud.config.server.git.default-label", "main");
	}

	@Override
	public void start() {
		running = true;
		long poll = properties.pollInterval().toMillis();
		executor.scheduleWithFixedDelay(this::poll, 0, poll, TimeUnit.MILLISECONDS);
		long heartbeat = properties.heartbeat().toMillis();
		executor.scheduleWithFixedDelay(broadcaster::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		running = false;
		executor.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Checks at once (webhook) and waits for the check, so the caller sees its result. */
	public void pollNow() {
		try {
			executor.submit(this::poll).get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Git check failed: " + ex.getMessage(), ex);
		}
	}

	private void poll() {
		String head;
		try {
			head = gitHead.commitOf(label);
			lastFailure = null;
		}
		catch (Exception ex) {
			String failure = ex.getMessage();
			if (!Objects.equals(failure, lastFailure)) {
				logger.warn("Cannot read label '" + label + "' of " + gitHead.uri() + ": " + failure
						+ " (proxies keep their config; retrying every " + properties.pollInterval().toMillis() + " ms)");
				lastFailure = failure;
			}
			return;
		}
		if (head.equals(lastHead)) {
			return;
		}
		CommitStatus status = validator.validate(label, head);
		lastHead = head;
		meterRegistry.counter("meshgate.controlplane.commits", "valid", String.valueOf(status.valid())).increment();
		if (status.valid()) {
			logger.info("Commit " + shortId(status.version()) + " on '" + label + "' is valid; pushing it to "
					+ broadcaster.subscriberCount() + " subscriber(s)");
		}
		else {
			StringBuilder message = new StringBuilder("Commit " + shortId(status.version()) + " on '" + label
					+ "' is INVALID; proxies will keep their current config:");
			for (ConfigError error : status.errors()) {
				message.append("\n  - ").append(error);
			}
			logger.warn(message);
		}
		broadcaster.publish(status);
	}

	private static String shortId(String commit) {
		return commit == null ? "(unknown)" : commit.substring(0, Math.min(10, commit.length()));
	}
}
