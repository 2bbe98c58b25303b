package io.meshgate.client.spring;

import org.springframework.context.SmartLifecycle;

import io.meshgate.client.ConfigSync;

/** Applies last-known-good and starts watching before the web server opens its ports (lower phase). */
class ConfigSyncLifecycle implements SmartLifecycle {

	private final ConfigSync sync;

	private volatile boolean running;

	ConfigSyncLifecycle(ConfigSync sync) {
		this.sync = sync;
	}

	@Override
	public void start() {
		sync.start();
		running = true;
	}

	@Override
	public void stop() {
		sync.close();
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return 0;
	}
}
