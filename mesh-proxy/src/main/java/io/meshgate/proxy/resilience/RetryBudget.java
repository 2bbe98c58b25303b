package io.meshgate.proxy.resilience;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * How many retries a service may get from one proxy: a share of its requests over the last 10 seconds plus a floor
 * per second (Linkerd's retry budget), so that when an endpoint fails retries spread the load elsewhere, and when the
 * whole service fails they add at most that share to its load instead of multiplying it by the attempts. Counted in
 * ten one-second slots, reused as time goes round; each request costs one atomic add. Kept by service name across
 * config and registry changes.
 */
public final class RetryBudget {

	private static final int SLOTS = 10;

	private final AtomicLongArray requests = new AtomicLongArray(SLOTS);

	private final AtomicLongArray retries = new AtomicLongArray(SLOTS);

	/** the second each slot counts */
	private final AtomicLongArray seconds = new AtomicLongArray(SLOTS);

	private final LongSupplier clock;

	public RetryBudget() {
		this(System::nanoTime);
	}

	RetryBudget(LongSupplier clock) {
		this.clock = clock;
	}

	/** A request to the service (a first try): earns it part of a retry. */
	public void deposit() {
		requests.incrementAndGet(slot(second()));
	}

	/** Takes one retry out of the budget, or says there is none left. */
	public boolean withdraw(int percent, int minPerSecond) {
		long now = second();
		int slot = slot(now);
		long requested = 0;
		long retried = 0;
		for (int i = 0; i < SLOTS; i++) {
			if (now - seconds.get(i) < SLOTS) {
				requested += requests.get(i);
				retried += retries.get(i);
			}
		}
		if (retried >= (long) minPerSecond * SLOTS + requested * percent / 100) {
			return false;
		}
		retries.incrementAndGet(slot);
		return true;
	}

	private long second() {
		return clock.getAsLong() / 1_000_000_000L;
	}

	/** The slot of {@code second}, emptied first when it last counted an older second (one reset wins a race). */
	private int slot(long second) {
		int slot = (int) Math.floorMod(second, SLOTS);
		long counted = seconds.get(slot);
		if (counted != second && seconds.compareAndSet(slot, counted, second)) {
			requests.set(slot, 0);
			retries.set(slot, 0);
		}
		return slot;
	}
}
