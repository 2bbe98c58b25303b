package io.meshgate.controlplane.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.model.protocol.Endpoint;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.model.protocol.Registration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The nodes' leases and the endpoint set they add up to. Each node's registration replaces its previous one whole,
 * so an agent drops a workload by re-registering without it; a node that stops renewing is swept out after its TTL.
 *
 * <p>
 * The revision increases exactly when the endpoint set changes, and each new set is handed to the publisher (outside
 * the lock, so slow subscribers never hold up registrations). A heartbeat only renews the lease. The first revision
 * is the start time in milliseconds, so revisions keep increasing across control plane restarts and a subscriber
 * never takes a restarted registry's sets for stale copies.
 */
public class NodeRegistry {

	private static final Log logger = LogFactory.getLog(NodeRegistry.class);

	private final Clock clock;

	private final Consumer<EndpointSet> publisher;

	private final Counter expired;

	private final Map<String, Lease> leases = new HashMap<>();

	private volatile EndpointSet endpoints;

	/** Nodes at most: each costs memory and every proxy's endpoint set grows with it. */
	public static final int MAX_NODES = 1000;

	public NodeRegistry(Clock clock, MeterRegistry meterRegistry, Consumer<EndpointSet> publisher) {
		this.clock = clock;
		this.publisher = publisher;
		this.endpoints = new EndpointSet(clock.millis(), Map.of());
		this.expired = meterRegistry.counter("meshgate.controlplane.registry.expired");
		meterRegistry.gauge("meshgate.controlplane.registry.endpoints", this, NodeRegistry::endpointCount);
		meterRegistry.gauge("meshgate.controlplane.registry.nodes", this, NodeRegistry::nodeCount);
	}

	/** Nodes holding a lease. */
	public synchronized int nodeCount() {
		return leases.size();
	}

	/** Where each leased node's agent is scraped, by node, for those that said (Prometheus service discovery). */
	public synchronized Map<String, java.net.URI> metricsAddresses() {
		Map<String, java.net.URI> addresses = new TreeMap<>();
		leases.forEach((node, lease) -> {
			if (lease.metrics() != null) {
				addresses.put(node, lease.metrics());
			}
		});
		return addresses;
	}

	public EndpointSet endpoints() {
		return endpoints;
	}

	/** Registers a valid registration or renews its lease; @return the endpoint set with it */
	public EndpointSet register(Registration registration) {
		String node = registration.node();
		EndpointSet changed;
		EndpointSet result;
		synchronized (this) {
			if (!leases.containsKey(node) && leases.size() >= MAX_NODES) {
				throw new io.meshgate.controlplane.ApiRefusal(org.springframework.http.HttpStatus.FORBIDDEN, "registry full",
						"the registry holds " + MAX_NODES + " nodes, its limit; node '" + node + "' is not added");
			}
			Lease lease = Lease.of(registration, clock.instant());
			Lease previous = leases.put(node, lease);
			if (lease.sameEndpoints(previous)) {
				return endpoints;
			}
			if (previous == null) {
				logger.info("Node " + node + " registered: " + lease.describe());
			}
			else {
				logger.info("Node " + node + " changed: " + lease.describe() + " (was " + previous.describe() + ")");
			}
			changed = rebuild();
			result = endpoints;
		}
		publish(changed);
		return result;
	}

	/** Removes a node at once (clean shutdown); unknown nodes are ignored. */
	public void deregister(String node) {
		EndpointSet changed;
		synchronized (this) {
			Lease previous = leases.remove(node);
			if (previous == null) {
				return;
			}
			logger.info("Node " + node + " left: " + left(previous));
			changed = rebuild();
		}
		publish(changed);
	}

	/** Removes every node whose last registration is older than its TTL. */
	public void expireLeases() {
		EndpointSet changed = null;
		synchronized (this) {
			Instant now = clock.instant();
			boolean removed = false;
			for (Iterator<Map.Entry<String, Lease>> it = leases.entrySet().iterator(); it.hasNext();) {
				Map.Entry<String, Lease> entry = it.next();
				Lease lease = entry.getValue();
				if (lease.expiredAt(now)) {
					it.remove();
					removed = true;
					expired.increment();
					long silentSeconds = Duration.between(lease.renewedAt(), now).toSeconds();
					logger.info("Node " + entry.getKey() + " expired (no heartbeat for " + silentSeconds + " s): "
							+ left(lease));
				}
			}
			if (removed) {
				changed = rebuild();
			}
		}
		publish(changed);
	}

	/** Endpoints in the current set, over all services. */
	public int endpointCount() {
		return endpoints.services().values().stream().mapToInt(List::size).sum();
	}

	/** @return the new set if the leases now add up to different endpoints, else {@code null} */
	private EndpointSet rebuild() {
		Map<String, List<Endpoint>> services = new TreeMap<>();
		leases.forEach((node, lease) -> lease.services()
			.forEach(service -> services.computeIfAbsent(service, s -> new ArrayList<>())
				.add(new Endpoint(service, node, lease.address()))));
		services.replaceAll((service, list) -> {
			list.sort(Comparator.comparing(Endpoint::node));
			return List.copyOf(list);
		});
		EndpointSet current = endpoints;
		if (services.equals(current.services())) {
			return null;
		}
		endpoints = new EndpointSet(current.revision() + 1, services);
		return endpoints;
	}

	private void publish(EndpointSet changed) {
		if (changed != null) {
			publisher.accept(changed);
		}
	}

	private static String left(Lease lease) {
		return lease.services().isEmpty() ? "it fronted no services" : String.join(", ", lease.services()) + " left";
	}
}
