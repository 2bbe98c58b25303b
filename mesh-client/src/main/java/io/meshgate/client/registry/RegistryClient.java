package io.meshgate.client.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.model.protocol.MeshApi;
import io.meshgate.model.protocol.Registration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's lease in the control plane's registry, held by its agent. {@link #register} sends the node's healthy
 * services at once; after {@link #start()} a heartbeat re-sends the last list every third of the TTL, so two lost
 * heartbeats in a row still keep the lease. {@link #close()} leaves the registry at once instead of waiting for the
 * lease to expire.
 *
 * <p>
 * Every registration is the node's whole state, so retrying is always safe: when the control plane is down the
 * heartbeat keeps trying, logging each distinct failure once, and the first one that gets through restores the
 * node. Requests are sent one at a time, so the control plane never gets an older list after a newer one.
 */
public class RegistryClient implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RegistryClient.class);

	/** Leaving is best effort: a shutting-down agent should not wait long for it; the lease expires anyway. */
	private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(1);

	private static final int MAX_TTL_SECONDS = 300;

	private final URI nodeUri;

	private final Duration timeout;

	private final String node;

	private final URI inboundAddress;

	private volatile URI metricsAddress;

	private final int ttlSeconds;

	private final long heartbeatMillis;

	private final HttpClient http;

	private final JsonMapper json = JsonMapper.builder().build();

	private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "meshgate-registry-heartbeat");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicBoolean started = new AtomicBoolean();

	/** Held for each request, so requests leave in the order their lists were given. */
	private final Object sending = new Object();

	/** The last list given to {@link #register}; {@code null} before the first. Guarded by {@link #sending}. */
	private List<String> services;

	/** Guarded by {@link #sending}. */
	private boolean closed;

	private volatile boolean registered;

	private volatile String lastError;

	/**
	 * @param controlPlane   the control plane's base URI ({@code https://127.0.0.1:8888})
	 * @param http           a client authenticated as this node ({@code Identities#controlPlane()})
	 * @param timeout        for connecting and for each request
	 * @param node           this node's name
	 * @param inboundAddress where other agents and the gateway reach this node's inbound listener
	 * @param ttl            the lease, whole seconds from 1 to 300; heartbeats go every third of it
	 */
	/**
	 * Tells the registry where Prometheus scrapes this node's agent (its admin port), from the next registration on;
	 * the control plane lists it in its service discovery.
	 */
	public RegistryClient metricsAddress(URI address) {
		this.metricsAddress = address;
		return this;
	}

	public RegistryClient(URI controlPlane, HttpClient http, Duration timeout, String node, URI inboundAddress,
			Duration ttl) {
		if (ttl.toSeconds() < 1 || ttl.toSeconds() > MAX_TTL_SECONDS) {
			throw new IllegalArgumentException("ttl must be from 1 to " + MAX_TTL_SECONDS + " s, not " + ttl);
		}
		String base = controlPlane.toString().replaceAll("/+$", "");
		this.nodeUri = URI.create(base + MeshApi.REGISTRY + "/nodes/"
				+ URLEncoder.encode(node, StandardCharsets.UTF_8).replace("+", "%20"));
		this.timeout = timeout;
		this.node = node;
		this.inboundAddress = inboundAddress;
		this.ttlSeconds = (int) ttl.toSeconds();
		this.heartbeatMillis = Math.max(1, ttlSeconds * 1000L / 3);
		this.http = http;
	}

	/**
	 * Registers the node with exactly these services (an empty list keeps the node known with none), replacing what
	 * it registered before; the heartbeat sends this list from now on.
	 *
	 * @return whether the control plane accepted it; if not, the heartbeat retries
	 */
	public boolean register(List<String> services) {
		synchronized (sending) {
			if (closed) {
				throw new IllegalStateException("registry client of node " + node + " is closed");
			}
			this.services = List.copyOf(services);
			return put();
		}
	}

	/** Starts the heartbeat; it sends nothing until the first {@link #register}. */
	public void start() {
		if (started.compareAndSet(false, true)) {
			heartbeat.scheduleAtFixedRate(this::heartbeat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
		}
	}

	/** Sends the registration now rather than at the next heartbeat (the node has just got its identity, say). */
	public void retryNow() {
		if (started.get()) {
			heartbeat.execute(this::heartbeat);
		}
	}

	/** Whether the last registration or heartbeat was accepted. */
	public boolean registered() {
		return registered;
	}

	/** Why the last registration or heartbeat failed; {@code null} once one succeeds. */
	public String lastError() {
		return lastError;
	}

	/** Stops the heartbeat and removes the node from the registry (best effort, short timeout). */
	@Override
	public void close() {
		heartbeat.shutdownNow();
		synchronized (sending) {
			if (closed) {
				return;
			}
			closed = true;
			registered = false;
			if (services != null) {
				leave();
			}
		}
	}

	private void heartbeat() {
		try {
			synchronized (sending) {
				if (!closed && services != null) {
					put();
				}
			}
		}
		catch (RuntimeException ex) {
			// an exception would cancel the schedule, and the lease would lapse for good
			failed("heartbeat failed: " + describe(ex));
		}
	}

	private boolean put() {
		Registration registration = new Registration(node, inboundAddress, services, ttlSeconds, metricsAddress);
		HttpRequest request = HttpRequest.newBuilder(nodeUri)
			.timeout(timeout)
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(registration)))
			.build();
		try {
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() / 100 != 2) {
				failed("PUT " + nodeUri + " answered " + response.statusCode() + reason(response.body()));
				return false;
			}
		}
		catch (IOException | RuntimeException ex) {
			failed("PUT " + nodeUri + " failed: " + describe(ex));
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		if (!registered) {
			logger.info("Node " + node + " registered with the control plane: "
					+ (services.isEmpty() ? "no services" : String.join(", ", services)) + " at " + inboundAddress
					+ " (lease " + ttlSeconds + " s)");
		}
		registered = true;
		lastError = null;
		return true;
	}

	private void leave() {
		HttpRequest request = HttpRequest.newBuilder(nodeUri).timeout(LEAVE_TIMEOUT.compareTo(timeout) < 0
				? LEAVE_TIMEOUT : timeout).DELETE().build();
		try {
			HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
			if (response.statusCode() / 100 == 2) {
				logger.info("Node " + node + " left the registry");
			}
			else {
				logger.info("Node " + node + " could not leave the registry (DELETE answered " + response.statusCode()
						+ "); its lease expires within " + ttlSeconds + " s");
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.info("Node " + node + " could not leave the registry (" + describe(ex)
					+ "); its lease expires within " + ttlSeconds + " s");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Logs a failure only when it differs from the last one: a control plane that is down is one message. */
	private void failed(String error) {
		registered = false;
		if (!error.equals(lastError)) {
			logger.warn("Node " + node + " cannot register with the control plane (" + error + "); "
					+ (started.get() ? "retrying every " + heartbeatMillis + " ms" : "the heartbeat retries once started"));
		}
		lastError = error;
	}

	/** The control plane's explanation of a refusal, if it gave one (its 400s carry {@code message}). */
	private String reason(String body) {
		try {
			JsonNode message = json.readTree(body).path("message");
			return message.isString() && !message.asString().isBlank() ? ": " + message.asString() : "";
		}
		catch (RuntimeException ex) {
			return ""; // not JSON (a proxy's error page): the status says enough
		}
	}

	private static String describe(Throwable failure) {
		String message = failure.getMessage();
		return message == null || message.isBlank() ? failure.getClass().getSimpleName()
				: failure.getClass().getSimpleName() + ": " + message;
	}
}
