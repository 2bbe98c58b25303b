package io.meshgate.controlplane.push;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.model.protocol.TrustBundle;
import io.meshgate.model.protocol.MeshApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Holds what the watch stream carries (the current commit status and the registry's endpoint set) and the open
 * streams. A subscriber gets both as soon as it connects, so a proxy that reconnects after a gap catches up at once;
 * a stream that cannot be written is dropped.
 *
 * <p>
 * Watch streams never end on their own, so a graceful shutdown would wait its whole timeout for them: they are
 * ended just before it (the proxies reconnect, with backoff, to whatever answers next).
 */
@Component
public class WatchBroadcaster implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(WatchBroadcaster.class);

	private final Set<SseEmitter> subscribers = ConcurrentHashMap.newKeySet();

	private volatile CommitStatus current;

	/** Guards {@link #endpoints} and its sends, so every subscriber sees revisions in increasing order. */
	private final Object endpointsLock = new Object();

	private volatile EndpointSet endpoints = EndpointSet.empty();

	private volatile TrustBundle bundle;

	private volatile boolean running;

	private volatile boolean closed;

	/** Until then endpoint sets are kept, not sent (see ControlPlaneProperties#registryWarmup). */
	private final long warmUntilNanos;

	private final java.util.concurrent.ScheduledExecutorService warmup = java.util.concurrent.Executors
		.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "meshgate-registry-warmup");
			thread.setDaemon(true);
			return thread;
		});

	private volatile boolean warm;

	private final Timer pushVersion;

	private final Timer pushEndpoints;

	private final Timer pushBundle;

	public WatchBroadcaster(MeterRegistry meterRegistry, io.meshgate.controlplane.ControlPlaneProperties properties) {
		this.warmUntilNanos = System.nanoTime() + properties.registryWarmup().toNanos();
		this.warm = properties.registryWarmup().isZero();
		meterRegistry.gauge("meshgate.controlplane.watch.subscribers", subscribers, Set::size);
		this.pushVersion = pushTimer(meterRegistry, "version");
		this.pushEndpoints = pushTimer(meterRegistry, "endpoints");
		this.pushBundle = pushTimer(meterRegistry, "bundle");
	}

	/** The fan-out of one event: from the first subscriber written to the last. */
	private static Timer pushTimer(MeterRegistry registry, String event) {
		return Timer.builder("meshgate.controlplane.push")
			.tag("event", event)
			.serviceLevelObjectives(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5),
					java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500),
					java.time.Duration.ofSeconds(2))
			.description("Time to write one event to every watch subscriber")
			.register(registry);
	}

	public CommitStatus current() {
		return current;
	}

	public EndpointSet endpoints() {
		return endpoints;
	}

	public SseEmitter subscribe() {
		SseEmitter emitter = new SseEmitter(0L);
		emitter.onCompletion(() -> subscribers.remove(emitter));
		emitter.onTimeout(() -> subscribers.remove(emitter));
		emitter.onError(error -> subscribers.remove(emitter));
		subscribers.add(emitter);
		CommitStatus status = current;
		if (status != null) {
			send(emitter, status);
		}
		TrustBundle roots = bundle;
		if (roots != null) {
			send(emitter, roots);
		}
		synchronized (endpointsLock) {
			if (warm && subscribers.contains(emitter)) {
				send(emitter, endpoints);
			}
		}
		if (closed) {
			end(emitter);
		}
		return emitter;
	}

	public void publish(CommitStatus status) {
		current = status;
		long start = System.nanoTime();
		for (SseEmitter subscriber : subscribers) {
			send(subscriber, status);
		}
		pushVersion.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
	}

	/** Pushes the CA's roots: at each phase of a rotation, and to each new subscriber. */
	public synchronized void publish(TrustBundle roots) {
		bundle = roots;
		long start = System.nanoTime();
		for (SseEmitter subscriber : subscribers) {
			send(subscriber, roots);
		}
		pushBundle.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
	}

	/**
	 * Pushes the registry's new endpoint set. Registry changes come from request threads and the lease sweeper at
	 * once; a set older than the one already pushed is dropped rather than sent after it.
	 */
	public void publish(EndpointSet set) {
		synchronized (endpointsLock) {
			if (set.revision() <= endpoints.revision()) {
				return;
			}
			endpoints = set;
			if (!warm) {
				return; // sent to everyone when the warm-up ends
			}
			long start = System.nanoTime();
			for (SseEmitter subscriber : subscribers) {
				send(subscriber, set);
			}
			pushEndpoints.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void start() {
		running = true;
		if (!warm) {
			long delay = Math.max(0, warmUntilNanos - System.nanoTime());
			warmup.schedule(this::endWarmup, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
		}
	}

	private void endWarmup() {
		synchronized (endpointsLock) {
			warm = true;
			logger.info("Registry warm-up over: pushing " + endpoints.services().values().stream().mapToInt(List::size).sum()
					+ " endpoint(s) to " + subscribers.size() + " subscriber(s)");
			for (SseEmitter subscriber : subscribers) {
				send(subscriber, endpoints);
			}
		}
	}

	/** Runs before the web server's graceful shutdown (a later phase stops first). */
	@Override
	public void stop() {
		running = false;
		closed = true;
		warmup.shutdownNow();
		subscribers.forEach(this::end);
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

	void heartbeat() {
		for (SseEmitter subscriber : subscribers) {
			heartbeat(subscriber);
		}
	}

	int subscriberCount() {
		return subscribers.size();
	}

	private void send(SseEmitter emitter, CommitStatus status) {
		try {
			emitter.send(SseEmitter.event()
				.name(MeshApi.VERSION_EVENT)
				.id(status.version())
				.data(status, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			drop(emitter, ex);
		}
	}

	private void send(SseEmitter emitter, EndpointSet set) {
		try {
			emitter.send(SseEmitter.event().name(MeshApi.ENDPOINTS_EVENT).data(set, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			drop(emitter, ex);
		}
	}

	private void send(SseEmitter emitter, TrustBundle roots) {
		try {
			emitter.send(SseEmitter.event().name(MeshApi.BUNDLE_EVENT).data(roots, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			drop(emitter, ex);
		}
	}

	private void heartbeat(SseEmitter emitter) {
		try {
			emitter.send(SseEmitter.event().comment("heartbeat"));
		}
		catch (IOException | IllegalStateException ex) {
			drop(emitter, ex);
		}
	}

	private void end(SseEmitter emitter) {
		subscribers.remove(emitter);
		emitter.complete();
	}

	private void drop(SseEmitter emitter, Exception cause) {
		subscribers.remove(emitter);
		emitter.completeWithError(cause);
		logger.debug("Dropped a watch subscriber: " + cause.getMessage());
	}
}
