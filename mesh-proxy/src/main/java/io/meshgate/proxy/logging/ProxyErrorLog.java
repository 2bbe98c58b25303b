package io.meshgate.proxy.logging;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;

/**
 * Logs the internal side of the proxy's own answers (the endpoint and the cause its caller is not shown), with the
 * request id the caller got: at most one line per second per kind of error, the lines left out counted in the next
 * one, so a failing endpoint under load never floods the log or slows the event loop. An exchange observer, the same
 * on every transport and plane.
 */
public final class ProxyErrorLog implements ExchangeObserver {

	public static final ProxyErrorLog INSTANCE = new ProxyErrorLog(1_000_000_000L);

	private static final Log logger = LogFactory.getLog(ProxyErrorLog.class);

	private final long intervalNanos;

	private final AtomicLong[] nextAllowed = new AtomicLong[Outcome.values().length];

	private final AtomicLong[] suppressed = new AtomicLong[Outcome.values().length];

	ProxyErrorLog(long intervalNanos) {
		this.intervalNanos = intervalNanos;
		long now = System.nanoTime();
		for (int i = 0; i < nextAllowed.length; i++) {
			nextAllowed[i] = new AtomicLong(now); // nanoTime may be negative: no sentinel, a start in the past
			suppressed[i] = new AtomicLong();
		}
	}

	/**
	 * @return -1 when a line of this kind was logged less than an interval ago (this one is counted instead), else
	 *         the number of lines left out since the last one
	 */
	long admit(int kind, long now) {
		long allowed = nextAllowed[kind].get();
		if (now - allowed < 0 || !nextAllowed[kind].compareAndSet(allowed, now + intervalNanos)) {
			suppressed[kind].incrementAndGet();
			return -1;
		}
		return suppressed[kind].getAndSet(0);
	}

	@Override
	public void ended(Exchange exchange) {
		ProxyError answer = exchange.answer();
		if (answer == null || answer.detail() == null || !logger.isWarnEnabled()) {
			return;
		}
		int kind = answer.outcome().ordinal();
		long left = admit(kind, System.nanoTime());
		if (left < 0) {
			return;
		}
		logger.warn("request " + exchange.requestId() + " (" + exchange.head().direction().label() + ", route "
				+ exchange.route() + "): " + answer.code() + ": " + answer.message() + "; " + answer.detail()
				+ (left > 0 ? " (" + left + " more " + answer.code() + " answers in the last interval not logged)" : ""));
	}
}
