package io.meshgate.client.identity;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;


/**
 * A proxy's SPIFFE identities (an agent's: its node and local workloads' services; the gateway's:
 * {@code svc/gateway}): read from its data directory, or enrolled once with the operator's join token. Enrolment
 * runs in the background and is retried while the control plane cannot be reached; a refusal (a bad, used or
 * expired token, a service the token does not entitle) is logged once with the control plane's reason and not
 * retried. {@link #controlPlane()} is the authenticated channel to the control plane: it presents the node SVID
 * and trusts the bundle held now, so it works from the moment of enrolment through every renewal. Listeners hear of
 * each new identity (enrolled or renewed).
 */
public final class Identities implements AutoCloseable, io.meshgate.client.ConfigSync.Listener {

	private static final Log logger = LogFactory.getLog(Identities.class);

	public enum State {
		/** no identity stored and no join token given */
		NONE,
		ENROLLING,
		ENROLLED,
		/** the control plane refused; a new token is needed */
		REFUSED,
		/** it could not be renewed before it expired (renewal keeps being tried) */
		EXPIRED
	}

	private final Path dir;

	private final JoinToken token;

	private final String node;

	private final List<String> services;

	private final Enroller enroller;

	private final Clock clock;

	private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread enrolment = new Thread(runnable, "meshgate-enrolment");
		enrolment.setDaemon(true);
		return enrolment;
	});

	private volatile State state = State.NONE;

	private volatile NodeIdentity identity;

	private volatile String problem;

	private final java.net.http.HttpClient controlPlane;

	private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	public Identities(Path dir, JoinToken token, String node, List<String> services, URI controlPlane,
			Duration timeout, Clock clock) {
		if (!"https".equals(controlPlane.getScheme())) {
			throw new IllegalArgumentException("the control plane is reached over TLS: its URI must be https://..., not "
					+ controlPlane);
		}
		this.dir = dir;
		this.token = token;
		this.node = node;
		this.services = List.copyOf(services);
		this.controlPlane = ControlPlaneTls.client(ControlPlaneTls.context(this::nodeSvid, this::trustBundle), timeout);
		this.enroller = new Enroller(controlPlane, timeout, this.controlPlane);
		this.clock = clock;
	}

	/** A client of the control plane authenticated as this node (none while not enrolled: it is then refused). */
	public java.net.http.HttpClient controlPlane() {
		return controlPlane;
	}

	/** Called on the enrolment thread after each new identity (enrolled, renewed); keep it short. */
	public void addListener(Runnable listener) {
		listeners.add(listener);
	}

	/** The identities held now; {@code null} before enrolment. */
	public NodeIdentity current() {
		return identity;
	}

	/**
	 * {@code meshgate_identity_expiry_seconds}: when the first of the held certificates expires (epoch seconds; no
	 * value before enrolment), what an alert on certificates about to expire reads. Renewal moves it forward.
	 */
	public Identities bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
		io.micrometer.core.instrument.Gauge.builder("meshgate.identity.expiry", this, identities -> {
			NodeIdentity held = identities.identity;
			return held == null ? Double.NaN : held.expiresAt().getEpochSecond();
		}).baseUnit("seconds").description("When the first certificate this proxy holds expires (epoch seconds)")
			.register(registry);
		return this;
	}

	/** This node's SVID ({@code spiffe://<td>/node/<node>}) and its key, while it holds one. */
	public SvidKeyManager.Svid nodeSvid() {
		return svid("/node/" + node);
	}

	/** The SVID of a local workload's service ({@code spiffe://<td>/svc/<service>}), while the node holds one. */
	public SvidKeyManager.Svid serviceSvid(String service) {
		return svid("/svc/" + service);
	}

	private SvidKeyManager.Svid svid(String path) {
		NodeIdentity current = identity;
		if (current == null) {
			return null;
		}
		for (var svid : current.svids().entrySet()) {
			if (URI.create(svid.getKey()).getPath().equals(path)) {
				// read at each handshake, which are rare: connections are pooled
				return new SvidKeyManager.Svid(current.key(), new java.security.cert.X509Certificate[] { svid.getValue() });
			}
		}
		return null;
	}

	/** The roots the mesh trusts now; empty before enrolment. */
	public List<java.security.cert.X509Certificate> trustBundle() {
		NodeIdentity current = identity;
		return current == null ? List.of() : current.trustBundle();
	}

	private void changed() {
		for (Runnable listener : listeners) {
			try {
				listener.run();
			}
			catch (RuntimeException ex) {
				logger.warn("An identity listener failed: " + ex.getMessage(), ex);
			}
		}
	}

	/**
	 * The roots the control plane pushed on its watch stream (at connect, and at each phase of a CA rotation):
	 * trusted from the next handshake on, and stored with the identities. Arrives over the authenticated channel,
	 * whose server this node checked against the roots it held. Not a CA certificate, or none: ignored and logged.
	 */
	@Override
	public void trustBundle(io.meshgate.model.protocol.TrustBundle pushed) {
		List<java.security.cert.X509Certificate> roots;
		try {
			roots = io.meshgate.model.identity.Pem.certificates(pushed.pem());
		}
		catch (RuntimeException ex) {
			logger.warn("Node " + node + ": the control plane pushed a trust bundle that cannot be read: " + ex.getMessage());
			return;
		}
		if (roots.isEmpty() || roots.stream().anyMatch(root -> root.getBasicConstraints() < 0)) {
			logger.warn("Node " + node + ": the control plane pushed a trust bundle without CA certificates: ignored");
			return;
		}
		thread.execute(() -> adopt(roots)); // the identity thread: never at the same time as a renewal
	}

	private void adopt(List<java.security.cert.X509Certificate> roots) {
		NodeIdentity current = identity;
		if (current == null || current.trustBundle().equals(roots)) {
			return;
		}
		NodeIdentity updated = new NodeIdentity(current.key(), current.svids(), roots);
		updated.store(dir);
		identity = updated;
		logger.info("Node " + node + " trusts the roots " + roots.stream().map(io.meshgate.model.identity.Fingerprints::of)
			.toList() + " (pushed by the control plane)");
	}

	public Identities start() {
		NodeIdentity stored = NodeIdentity.load(dir).orElse(null);
		if (stored != null && !stored.isExpired(clock.instant())) {
			identity = stored;
			state = State.ENROLLED;
			logger.info("Node " + node + " identities " + stored.svids().keySet() + ", valid until " + stored.expiresAt());
			scheduleRenewal(stored);
		}
		else if (token != null) {
			state = State.ENROLLING;
			thread.execute(() -> enrol(Duration.ofSeconds(1)));
		}
		else if (stored != null) {
			problem = "the stored identities expired at " + stored.expiresAt() + "; give a new join token";
			logger.warn("Node " + node + ": " + problem);
		}
		return this;
	}

	private void enrol(Duration backoff) {
		try {
			NodeIdentity enrolled = enroller.enrol(token, node, services);
			enrolled.store(dir);
			identity = enrolled;
			problem = null;
			state = State.ENROLLED;
			logger.info("Node " + node + " enrolled: " + enrolled.svids().keySet() + ", valid until "
					+ enrolled.expiresAt());
			changed();
			scheduleRenewal(enrolled);
		}
		catch (Enroller.Refused ex) {
			problem = ex.getMessage();
			state = State.REFUSED;
			logger.error("Node " + node + " cannot enrol: " + ex.getMessage() + "; make a new join token "
					+ "(bin/meshgate token create --node " + node + " --services " + String.join(",", services) + ")");
		}
		catch (IOException | RuntimeException ex) {
			problem = "control plane unreachable: " + ex.getMessage();
			Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
					: backoff.multipliedBy(2);
			logger.warn("Node " + node + " could not enrol yet (" + ex.getMessage() + "); retrying in "
					+ backoff.toMillis() + " ms");
			thread.schedule(() -> enrol(next), backoff.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Renewal at about half of the remaining life, as SPIRE does: a 24 h identity after 12 h, and one that failed to
	 * renew gets more tries before it expires. At least a second apart.
	 */
	private void scheduleRenewal(NodeIdentity current) {
		Duration remaining = Duration.between(clock.instant(), current.expiresAt());
		Duration delay = remaining.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
				: remaining.dividedBy(2);
		thread.schedule(() -> renew(current), delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void renew(NodeIdentity current) {
		try {
			NodeIdentity renewed = enroller.renew(current);
			renewed.store(dir);
			identity = renewed;
			problem = null;
			state = State.ENROLLED;
			logger.info("Node " + node + " renewed " + renewed.svids().keySet() + " until " + renewed.expiresAt());
			changed();
			scheduleRenewal(renewed);
		}
		catch (Enroller.Refused | IOException | RuntimeException ex) {
			boolean expired = current.isExpired(clock.instant());
			problem = (expired ? "expired at " + current.expiresAt() + "; " : "") + "renewal failed: " + ex.getMessage();
			logger.warn("Node " + node + ": " + problem + "; trying again");
			if (expired) {
				state = State.EXPIRED;
			}
			thread.schedule(() -> renew(current), Math.min(30_000,
					Math.max(1_000, Duration.between(clock.instant(), current.expiresAt()).toMillis() / 4)),
					TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	public State state() {
		return state;
	}

	/** For {@code /actuator/mesh}: state, SPIFFE IDs and when they expire, or why there are none. */
	public Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
		NodeIdentity current = identity;
		if (current != null) {
			status.put("spiffeIds", new ArrayList<>(current.svids().keySet()));
			status.put("expiresAt", current.expiresAt().toString());
			status.put("trustBundle", current.trustBundle().stream().map(io.meshgate.model.identity.Fingerprints::of)
				.toList());
		}
		if (problem != null) {
			status.put("problem", problem);
		}
		return status;
	}

	@Override
	public void close() {
		thread.shutdownNow();
	}
}
