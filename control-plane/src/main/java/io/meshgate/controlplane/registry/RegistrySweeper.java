package io.meshgate.controlplane.registry;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Expires the leases of nodes that stopped sending heartbeats. A quarter second keeps a dead node's endpoints at
 * most that much past its TTL, at the cost of one pass over the leases.
 */
class RegistrySweeper implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RegistrySweeper.class);

	static final long INTERVAL_MILLIS = 250;

	private final NodeRegistry registry;

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "meshgate-registry-sweeper");
		thread.setDaemon(true);
		return thread;
	});

	private volatile boolean running;

	RegistrySweeper(NodeRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void start() {
		running = true;
		executor.scheduleWithFixedDelay(this::sweep, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
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

	private void sweep() {
		try {
			registry.expireLeases();
		}
		catch (RuntimeException ex) {
			// an exception would cancel the schedule, and leases would never expire again
			logger.warn("Registry sweep failed: " + ex.getMessage(), ex);
		}
	}
}
