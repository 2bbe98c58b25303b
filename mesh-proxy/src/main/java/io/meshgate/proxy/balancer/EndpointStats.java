package io.meshgate.proxy.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Load signals of one endpoint: requests in flight, and a peak-sensitive moving average of its latency (a slow answer
 * raises it at once, fast ones lower it gradually, with a 10 s time constant), as in Finagle's and Linkerd's balancers.
 * The average also decays while the endpoint gets no traffic, so an endpoint avoided for being slow is tried again.
 */
public final class EndpointStats {

	/** The node of an endpoint from the model's static {@code endpoints}: a service outside the mesh. */
	public static final String STATIC = "(static)";

	private static final double DECAY_NANOS = 10e9;

	/** The window of the failure-percent rule, as Envoy's detection interval. */
	private static final long WINDOW_NANOS = 10_000_000_000L;

	/** Assumed latency of an endpoint not measured yet: neither favoured nor avoided. */
	private static final double UNMEASURED_NANOS = 1e6;

	private final String service;

	private final String node;

	private final String address;

	private final AtomicInteger outstanding = new AtomicInteger();

	private volatile double ewmaNanos = UNMEASURED_NANOS;

	private final LongSupplier clock;

	private volatile long updatedAt;

	private volatile long requests;

	private volatile long failures;

	// outlier detection, written under this object's lock

	private int consecutiveFailures;

	/** {@link System#nanoTime()} until which the endpoint is out of balancing; 0: never ejected */
	private volatile long ejectedUntil;

	private int ejections;

	/** calls and failures since {@link #windowStart}, for the failure-percent rule (a 10 s tumbling window) */
	private long windowStart;

	private int windowRequests;

	private int windowFailures;

	public EndpointStats(String service, String node, String address) {
		this(service, node, address, System::nanoTime);
	}

	EndpointStats(String service, String node, String address, LongSupplier clock) {
		this.service = service;
		this.node = node;
		this.address = address;
		this.clock = clock;
		this.updatedAt = clock.getAsLong();
	}

	public String service() {
		return service;
	}

	public String node() {
		return node;
	}

	public String address() {
		return address;
	}

	/** Whether this endpoint is a node's inbound listener (from the registry), rather than a static address. */
	public boolean isMeshNode() {
		return !STATIC.equals(node);
	}

	/**
	 * The Host header the upstream expects: a node's inbound listener hands the request to a workload of the service
	 * and gives it the service's name (as a cluster's service DNS name would be); a service outside the mesh is
	 * called by its own address, which may be a virtual host that cares.
	 */
	public String hostHeader() {
		return STATIC.equals(node) ? address.substring(address.indexOf("://") + 3) : service;
	}

	/** Lower is better: latency (decayed since its last sample) weighted by the queue a new request would join. */
	public double cost() {
		double idle = clock.getAsLong() - updatedAt;
		return ewmaNanos * Math.exp(-idle / DECAY_NANOS) * (outstanding.get() + 1);
	}

	public void started() {
		outstanding.incrementAndGet();
	}

	/**
	 * The endpoint answered (a 5xx is a failure) or failed, after {@code nanos}: one latency sample.
	 * @return its failures in a row, this one included (0 after a success)
	 */
	public synchronized int completed(boolean success, long nanos) {
		outstanding.decrementAndGet();
		requests++;
		long now = clock.getAsLong();
		if (now - windowStart >= WINDOW_NANOS) {
			windowStart = now;
			windowRequests = 0;
			windowFailures = 0;
		}
		windowRequests++;
		if (success) {
			consecutiveFailures = 0;
		}
		else {
			failures++;
			consecutiveFailures++;
			windowFailures++;
		}
		double weight = Math.exp(-(now - updatedAt) / DECAY_NANOS);
		ewmaNanos = nanos > ewmaNanos ? nanos : ewmaNanos * weight + nanos * (1 - weight);
		updatedAt = now;
		return consecutiveFailures;
	}

	/** Whether outlier detection has this endpoint out of balancing at {@code now} ({@link #now()}). */
	public boolean ejected(long now) {
		long until = ejectedUntil;
		return until != 0 && now - until < 0;
	}

	public long now() {
		return clock.getAsLong();
	}

	/**
	 * Takes the endpoint out of balancing for {@code base} times the number of its recent ejections, at most {@code max}.
	 * Each {@code base} it stayed healthy since its last return forgives one earlier ejection (as Envoy's multiplier
	 * decreases), so an endpoint that failed once long ago is not punished as a flapping one.
	 * @return how long, in nanoseconds
	 */
	public synchronized long eject(long now, long baseNanos, long maxNanos) {
		if (ejections > 0 && ejectedUntil != 0 && now - ejectedUntil > 0) {
			ejections = (int) Math.max(0, ejections - (now - ejectedUntil) / baseNanos);
		}
		ejections++;
		long nanos = Math.min(baseNanos * ejections, maxNanos);
		ejectedUntil = now + nanos;
		consecutiveFailures = 0;
		windowRequests = 0; // back from ejection with a clean slate: its old share must not eject it at once
		windowFailures = 0;
		windowStart = now;
		// ... and its latency unknown: a peak measured while it failed (or a restarting workload's first slow answers)
		// would keep the balancer off it for tens of seconds after its return
		ewmaNanos = UNMEASURED_NANOS;
		updatedAt = now;
		return nanos;
	}

	/** Its failed calls in percent of the last window's, or -1 while it had fewer than {@code minimumRequests}. */
	public synchronized int failurePercent(int minimumRequests) {
		return windowRequests < minimumRequests ? -1 : windowFailures * 100 / windowRequests;
	}

	/** Times ejected recently (the multiplier of the next ejection's length). */
	public synchronized int ejections() {
		return ejections;
	}

	/** The request left without an answer for reasons not the endpoint's (the caller cancelled): no sample. */
	public void released() {
		outstanding.decrementAndGet();
	}

	public int outstanding() {
		return outstanding.get();
	}

	public double ewmaMillis() {
		return ewmaNanos / 1e6;
	}

	public long requests() {
		return requests;
	}

	public long failures() {
		return failures;
	}
}
