package io.meshgate.proxy.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.meshgate.model.RateLimit;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Verdict;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One rate limit of the model (a route's or a service's), with its buckets: takes a token for each request from the
 * bucket of the request's key, or answers 429. Kept across config changes while its settings stay the same, so a
 * commit never refills a bucket.
 */
abstract class Limiter {

	/** for messages: {@code route 'orders-api'}, {@code service 'inventory'} */
	final String name;

	final RateLimit spec;

	final Function<Exchange, String> key;

	final BucketConfiguration configuration;

	final String id;

	/** the {@code RateLimit-Policy} field, the same for every answer of this limit */
	private final String policy;

	/** @param id the route id or service name, the policy's name in the {@code RateLimit} fields */
	Limiter(String id, String name, RateLimit spec) {
		this.id = id;
		this.name = name;
		this.spec = spec;
		this.key = RateLimitKey.of(spec.key());
		this.configuration = BucketConfiguration.builder()
			.addLimit(Bandwidth.builder().capacity(spec.capacity()).refillGreedy(spec.requests(), spec.per()).build())
			.build();
		this.policy = "\"" + id + "\";q=" + spec.requests() + ";w=" + Math.max(1, spec.per().toSeconds());
	}

	/** NEXT, a 429, or a late answer (a shared bucket). */
	abstract Verdict check(Exchange exchange);

	/** The answer to a request its bucket had no token for. */
	ProxyError refused(ConsumptionProbe probe) {
		long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds()
				+ (probe.getNanosToWaitForRefill() % 1_000_000_000L == 0 ? 0 : 1));
		String per = spec.key().equals("none") ? "" : " for each " + spec.key();
		return new ProxyError(HttpResponseStatus.TOO_MANY_REQUESTS, Outcome.RATE_LIMITED,
				name + " takes " + spec.requests() + " requests per " + describe(spec.per()) + per
						+ ": retry after " + seconds + " s",
				null, Map.of("Retry-After", String.valueOf(seconds), "RateLimit-Policy", policy, "RateLimit",
						"\"" + id + "\";r=0;t=" + seconds));
	}

	private static String describe(Duration per) {
		long millis = per.toMillis();
		if (millis % 3_600_000 == 0) {
			return millis / 3_600_000 + " h";
		}
		if (millis % 60_000 == 0) {
			return millis / 60_000 + " min";
		}
		return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
	}
}
