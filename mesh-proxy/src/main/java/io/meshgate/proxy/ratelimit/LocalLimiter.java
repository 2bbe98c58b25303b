package io.meshgate.proxy.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.meshgate.model.RateLimit;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Verdict;

/**
 * A limit each proxy keeps on its own: Bucket4j's lock-free buckets in memory, one per key in a bounded cache (the
 * keys a caller controls, such as a header or its address, must not grow the proxy's memory without bound; a bucket
 * idle for a few windows is full again anyway, so dropping it loses nothing).
 */
final class LocalLimiter extends Limiter {

	/** Most buckets one limit keeps; beyond, the least recently used go first. */
	static final int MAX_KEYS = 100_000;

	/** the one bucket of a limit without a key; {@code null} when keyed */
	private final Bucket single;

	private final Cache<String, Bucket> buckets;

	LocalLimiter(String id, String name, RateLimit spec) {
		super(id, name, spec);
		if (spec.key().equals("none")) {
			this.single = newBucket();
			this.buckets = null;
		}
		else {
			this.single = null;
			Duration idle = spec.per().multipliedBy(4).compareTo(Duration.ofMinutes(1)) > 0 ? spec.per().multipliedBy(4)
					: Duration.ofMinutes(1);
			this.buckets = Caffeine.newBuilder().maximumSize(MAX_KEYS).expireAfterAccess(idle).build();
		}
	}

	private Bucket newBucket() {
		return Bucket.builder().addLimit(configuration.getBandwidths()[0]).build();
	}

	@Override
	Verdict check(Exchange exchange) {
		Bucket bucket = single != null ? single : buckets.get(key.apply(exchange), k -> newBucket());
		ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
		return probe.isConsumed() ? Verdict.NEXT : refused(probe);
	}
}
