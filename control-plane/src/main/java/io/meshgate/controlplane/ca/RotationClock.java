package io.meshgate.controlplane.ca;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Moves a CA rotation to its next phase when it is due: checked every second, on a thread of its own. */
@Component
class RotationClock implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RotationClock.class);

	private final CertificateAuthority ca;

	private ScheduledExecutorService thread;

	RotationClock(CertificateAuthority ca) {
		this.ca = ca;
	}

	@Override
	public synchronized void start() {
		thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread clock = new Thread(runnable, "meshgate-ca-rotation");
			clock.setDaemon(true);
			return clock;
		});
		thread.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
	}

	private void tick() {
		try {
			ca.advance();
		}
		catch (RuntimeException ex) {
			// the files could not be written: the phase did not happen, and is tried again next second
			logger.error("CA rotation: " + ex.getMessage(), ex);
		}
	}

	@Override
	public synchronized void stop() {
		if (thread != null) {
			thread.shutdownNow();
			thread = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return thread != null;
	}
}
