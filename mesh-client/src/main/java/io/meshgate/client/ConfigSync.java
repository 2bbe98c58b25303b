package io.meshgate.client;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.client.controlplane.ControlPlaneClient;
import io.meshgate.client.controlplane.ControlPlaneClient.FetchedConfig;
import io.meshgate.client.controlplane.WatchEvent;
import io.meshgate.client.controlplane.WatchStream;
import io.meshgate.client.store.LastKnownGoodStore;
import io.meshgate.client.store.LastKnownGoodStore.Stored;
import io.meshgate.model.ConfigError;
import io.meshgate.model.ConfigSource;
import io.meshgate.model.LoadResult;
import io.meshgate.model.MeshConfigLoader;
import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.EndpointSet;

/**
 * Keeps a proxy's config in step with Git: watches the control plane's push channel, fetches each new version,
 * validates it (mesh model, then the proxy's own checks) and applies it only if valid, storing it as last-known-good.
 * A rejected or unreachable config changes nothing. At start the last-known-good copy is applied first, so a proxy
 * restarted while the control plane is down serves what it served before.
 *
 * <p>
 * Threads: one reads the watch stream (blocking), one applies; events are coalesced so only the newest waits. A
 * watchdog closes a stream that has been silent for longer than three heartbeats (a half-open connection).
 */
public class ConfigSync implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ConfigSync.class);

	private final ControlPlaneClient client;

	private final String application;

	private final String profiles;

	private final LastKnownGoodStore store;

	private final List<ConfigCheck> checks;

	private final ConfigApplier applier;

	private final Duration silenceLimit;

	private final Clock clock;

	private final ExecutorService applyThread = Executors.newSingleThreadExecutor(daemon("meshgate-config-apply"));

	private final ScheduledExecutorService watchThreads = Executors.newScheduledThreadPool(2,
			daemon("meshgate-config-watch"));

	private final AtomicReference<CommitStatus> pending = new AtomicReference<>();

	private final AtomicBoolean running = new AtomicBoolean();

	private volatile AppliedConfig applied;

	private volatile EndpointSet endpoints = EndpointSet.empty();

	private volatile Rejection lastRejection;

	private volatile boolean connected;

	private volatile Instant lastContact;

	private volatile String lastError;

	private volatile WatchStream stream;

	private static final long INITIAL_BACKOFF_MILLIS = 250;

	private static final long MAX_BACKOFF_MILLIS = 5_000;

	private static final long RETRY_FETCH_MILLIS = 1_000;

	private volatile long backoffMillis = INITIAL_BACKOFF_MILLIS;

	private final Object watchSchedule = new Object();

	/** The next watch attempt while one waits; guarded by {@link #watchSchedule}. */
	private java.util.concurrent.ScheduledFuture<?> nextWatch;

	private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	public ConfigSync(ControlPlaneClient client, String application, String profiles, LastKnownGoodStore store,
			List<ConfigCheck> checks, ConfigApplier applier, Duration silenceLimit, Clock clock) {
		this.client = client;
		this.application = application;
		this.profiles = profiles;
		this.store = store;
		this.checks = List.copyOf(checks);
		this.applier = applier;
		this.silenceLimit = silenceLimit;
		this.clock = clock;
	}

	/** Told about every applied config and every rejection, on the apply thread (metrics). */
	public interface Listener {

		default void applied(AppliedConfig config) {
		}

		default void rejected(Rejection rejection) {
		}

		/** The registry's endpoints changed (on the watch thread: keep it short). */
		default void endpoints(EndpointSet endpoints) {
		}

		/** The CA's roots, as the control plane pushed them (on the watch thread: keep it short). */
		default void trustBundle(io.meshgate.model.protocol.TrustBundle bundle) {
		}
	}

	public void addListener(Listener listener) {
		listeners.add(listener);
	}

	/** Applies last-known-good (synchronously), then starts watching the control plane. */
	public void start() {
		if (!running.compareAndSet(false, true)) {
			return;
		}
		applyLastKnownGood();
		loadLastKnownEndpoints();
		watchThreads.execute(this::watchOnce);
		long check = Math.max(100, silenceLimit.toMillis() / 3);
		watchThreads.scheduleWithFixedDelay(this::closeSilentStream, check, check, TimeUnit.MILLISECONDS);
	}

	public SyncState state() {
		return new SyncState(application, applied, lastRejection, client.base().toString(), connected, lastContact,
				lastError);
	}

	@Override
	public void close() {
		running.set(false);
		closeStream();
		watchThreads.shutdownNow();
		applyThread.shutdownNow();
	}

	private void applyLastKnownGood() {
		Optional<Stored> stored;
		try {
			stored = store.load();
		}
		catch (IOException ex) {
			logger.warn("Ignoring last-known-good config: " + ex.getMessage());
			return;
		}
		if (stored.isEmpty()) {
			logger.info("No last-known-good config at " + store.file() + "; waiting for the control plane at "
					+ client.base());
			return;
		}
		Stored copy = stored.get();
		LoadResult checked = validate(copy.sources());
		if (!checked.valid()) {
			logger.warn("Ignoring last-known-good config " + copy.version() + " from " + store.file()
					+ ": no longer valid: " + checked.errors());
			return;
		}
		AppliedConfig config = new AppliedConfig(copy.version(), copy.sources(), checked.config(), copy.appliedAt(),
				AppliedConfig.Origin.LAST_KNOWN_GOOD);
		try {
			applier.apply(config);
			applied = config;
			listeners.forEach(l -> l.applied(config));
			logger.info("Serving last-known-good config " + shortId(copy.version()) + " (applied " + copy.appliedAt()
					+ ") from " + store.file() + " until the control plane at " + client.base() + " answers");
		}
		catch (Exception ex) {
			logger.warn("Could not apply last-known-good config " + copy.version() + ": " + ex.getMessage(), ex);
		}
	}

	private void loadLastKnownEndpoints() {
		try {
			store.loadEndpoints().ifPresent(known -> updateEndpoints(known, false));
		}
		catch (IOException ex) {
			logger.warn("Ignoring the stored endpoints: " + ex.getMessage());
		}
	}

	/** One connection to the watch stream; when it ends, the next attempt is scheduled with backoff. */
	private void watchOnce() {
		try (WatchStream opened = client.watch()) {
			stream = opened;
			connected = true;
			lastContact = clock.instant();
			lastError = null;
			backoffMillis = INITIAL_BACKOFF_MILLIS;
			logger.info("Watching the control plane at " + client.base());
			WatchEvent event;
			while ((event = opened.next()) != null) {
				lastContact = clock.instant();
				if (event instanceof WatchEvent.Version version) {
					offer(version.status());
				}
				else if (event instanceof WatchEvent.Endpoints update) {
					updateEndpoints(update.endpoints(), true);
				}
				else if (event instanceof WatchEvent.Bundle roots) {
					listeners.forEach(listener -> listener.trustBundle(roots.bundle()));
				}
			}
			if (running.get()) {
				lastError = "the control plane closed the watch stream";
			}
		}
		catch (IOException | RuntimeException ex) {
			if (running.get()) {
				String error = describe(ex);
				if (connected || !error.equals(lastError)) {
					logger.warn("Control plane at " + client.base() + " unreachable (" + error + "); " + servingNote());
				}
				lastError = error;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		finally {
			stream = null;
			connected = false;
		}
		if (running.get()) {
			synchronized (watchSchedule) {
				nextWatch = watchThreads.schedule(this::watchOnce, backoffMillis, TimeUnit.MILLISECONDS);
			}
			backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
		}
	}

	/**
	 * Reconnects now if a reconnection is waiting out its backoff (the proxy has just got the identity the control
	 * plane asks for, say). Never starts a second watch: only a waiting attempt is moved.
	 */
	public void retryNow() {
		synchronized (watchSchedule) {
			if (running.get() && nextWatch != null && nextWatch.cancel(false)) {
				backoffMillis = INITIAL_BACKOFF_MILLIS;
				nextWatch = watchThreads.schedule(this::watchOnce, 0, TimeUnit.MILLISECONDS);
			}
		}
	}

	/** The registry's endpoints, as last pushed (or read from disk at start). */
	public EndpointSet endpoints() {
		return endpoints;
	}

	private void updateEndpoints(EndpointSet update, boolean store) {
		endpoints = update;
		listeners.forEach(l -> l.endpoints(update));
		if (store) {
			try {
				this.store.saveEndpoints(update);
			}
			catch (IOException ex) {
				logger.warn("Could not store the endpoints at " + this.store.file().getParent() + ": " + ex.getMessage());
			}
		}
	}

	private void offer(CommitStatus status) {
		// coalesce: the apply thread only ever needs the newest version
		if (pending.getAndSet(status) == null) {
			applyThread.execute(() -> sync(pending.getAndSet(null)));
		}
	}

	/** Retries a version whose fetch failed, unless a newer event is already queued. */
	private Void retry(CommitStatus status) {
		if (running.get() && pending.get() == null) {
			offer(status);
		}
		return null;
	}

	private void sync(CommitStatus status) {
		if (status == null) {
			return;
		}
		AppliedConfig current = applied;
		if (current != null && current.origin() == AppliedConfig.Origin.CONTROL_PLANE
				&& status.version() != null && status.version().equals(current.version())) {
			return;
		}
		Rejection rejected = lastRejection;
		if (rejected != null && status.version() != null && status.version().equals(rejected.version())) {
			return; // already refused, and validation is deterministic
		}
		FetchedConfig fetched;
		try {
			fetched = client.fetch(application, profiles);
		}
		catch (IOException | RuntimeException ex) {
			lastError = describe(ex);
			List<ConfigError> errors = status.errors().isEmpty()
					? List.of(new ConfigError(client.base().toString(), "", "fetch failed: " + describe(ex)))
					: status.errors();
			if (!status.valid()) {
				reject(status.version(), errors);
			}
			else {
				logger.warn("Could not fetch config " + shortId(status.version()) + ": " + describe(ex) + "; "
						+ servingNote() + "; retrying in " + RETRY_FETCH_MILLIS + " ms");
				watchThreads.schedule(() -> retry(status), RETRY_FETCH_MILLIS, TimeUnit.MILLISECONDS);
			}
			return;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		if (current != null && fetched.version() != null && fetched.version().equals(current.version())
				&& current.origin() == AppliedConfig.Origin.CONTROL_PLANE) {
			return;
		}
		boolean reported = status.version() == null || status.version().equals(fetched.version());
		if (!status.valid() && reported) {
			// the control plane's verdict stands even where this proxy's own check would pass (it sees every
			// file's YAML tree, and every profile it validates): keep serving, and say why with its errors
			reject(fetched.version(), status.errors().isEmpty()
					? List.of(new ConfigError(client.base().toString(), "", "the control plane reported this commit invalid"))
					: status.errors());
			return;
		}
		if (!reported) {
			// the config server served another commit than the event's (a newer one, whose own event with the control
			// plane's verdict follows, or a stale read): nothing is applied without a verdict; ask again shortly
			watchThreads.schedule(() -> retry(status), RETRY_FETCH_MILLIS, TimeUnit.MILLISECONDS);
			return;
		}
		LoadResult checked = validate(fetched.sources());
		if (!checked.valid()) {
			reject(fetched.version(), checked.errors());
			return;
		}
		boolean sameAsStored = current != null && fetched.version() != null && fetched.version().equals(current.version());
		Instant appliedAt = sameAsStored ? current.appliedAt() : clock.instant();
		AppliedConfig config = new AppliedConfig(fetched.version(), fetched.sources(), checked.config(), appliedAt,
				AppliedConfig.Origin.CONTROL_PLANE);
		try {
			applier.apply(config);
		}
		catch (Exception ex) {
			reject(fetched.version(), List.of(new ConfigError("(" + application + ")", "", "apply failed: " + describe(ex))));
			return;
		}
		applied = config;
		listeners.forEach(l -> l.applied(config));
		logger.info("Applied config " + shortId(config.version()) + " for " + application);
		try {
			store.save(new Stored(config.version(), config.appliedAt(), config.sources()));
		}
		catch (IOException ex) {
			logger.warn("Applied config " + shortId(config.version()) + " but could not store it as last-known-good at "
					+ store.file() + ": " + ex.getMessage());
		}
	}

	/** The model, loaded once, and the proxy's own checks of it: valid only without an error of either. */
	private LoadResult validate(List<ConfigSource> sources) {
		LoadResult result = MeshConfigLoader.load(sources);
		if (!result.valid()) {
			return result;
		}
		List<ConfigError> errors = new ArrayList<>();
		for (ConfigCheck check : checks) {
			errors.addAll(check.check(sources, result.config()));
		}
		return errors.isEmpty() ? result : new LoadResult(null, errors);
	}

	private void reject(String version, List<ConfigError> errors) {
		Rejection rejection = new Rejection(version, clock.instant(), errors);
		lastRejection = rejection;
		listeners.forEach(l -> l.rejected(rejection));
		StringBuilder message = new StringBuilder("Rejected config " + shortId(version) + " for " + application + "; "
				+ servingNote() + ":");
		errors.forEach(error -> message.append("\n  - ").append(error));
		logger.warn(message);
	}

	private String servingNote() {
		AppliedConfig current = applied;
		return current == null ? "no config applied yet"
				: "still serving " + shortId(current.version()) + " (" + current.originName() + ")";
	}

	private void closeSilentStream() {
		WatchStream open = stream;
		if (open != null && System.nanoTime() - open.lastActivity() > silenceLimit.toNanos()) {
			logger.warn("No heartbeat from the control plane for " + silenceLimit.toMillis() + " ms; reconnecting");
			closeStream();
		}
	}

	private void closeStream() {
		WatchStream open = stream;
		if (open != null) {
			try {
				open.close();
			}
			catch (IOException ex) {
				// closing is all we wanted
			}
		}
	}

	private static String describe(Throwable failure) {
		String message = failure.getMessage();
		if (message == null || message.isBlank()) {
			message = failure.getClass().getSimpleName();
		}
		return message;
	}

	static String shortId(String version) {
		return version == null ? "(no version)" : version.substring(0, Math.min(10, version.length()));
	}

	private static java.util.concurrent.ThreadFactory daemon(String name) {
		return runnable -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		};
	}
}
