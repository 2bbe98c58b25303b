package io.meshgate.agent.workload;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Probes the node's workloads (a TCP connect, on its own thread, never on an event loop) and reports the healthy
 * services whenever the set changes, so a dead workload leaves the registry within one probe interval plus a push.
 */
public final class WorkloadHealth implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(WorkloadHealth.class);

	private final Map<String, URI> workloads;

	private final Duration interval;

	private final Duration timeout;

	private final Consumer<List<String>> onChange;

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "meshgate-workload-health");
		thread.setDaemon(true);
		return thread;
	});

	private volatile Map<String, Boolean> healthy = Map.of();

	public WorkloadHealth(Map<String, URI> workloads, Duration interval, Duration timeout,
			Consumer<List<String>> onChange) {
		this.workloads = new TreeMap<>(workloads);
		this.interval = interval;
		this.timeout = timeout;
		this.onChange = onChange;
	}

	public void start() {
		executor.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Service to health, as last probed. */
	public Map<String, Boolean> healthy() {
		return healthy;
	}

	private void probe() {
		Map<String, Boolean> now = new TreeMap<>();
		workloads.forEach((service, address) -> now.put(service, reachable(address)));
		Map<String, Boolean> before = healthy;
		if (now.equals(before)) {
			return;
		}
		now.forEach((service, up) -> {
			Boolean was = before.get(service);
			if (was == null || was != up) {
				String message = "Workload " + service + " at " + workloads.get(service) + " is " + (up ? "up" : "DOWN");
				if (up) {
					logger.info(message);
				}
				else {
					logger.warn(message);
				}
			}
		});
		healthy = Map.copyOf(now);
		List<String> services = new ArrayList<>();
		now.forEach((service, up) -> {
			if (up) {
				services.add(service);
			}
		});
		try {
			onChange.accept(services);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not report workload health: " + ex.getMessage());
		}
	}

	private boolean reachable(URI address) {
		int port = address.getPort() > 0 ? address.getPort() : 80;
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(address.getHost(), port), (int) timeout.toMillis());
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		executor.shutdownNow();
	}
}
