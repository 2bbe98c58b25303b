package io.meshgate.proxy.ratelimit;

import java.util.concurrent.CompletableFuture;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/**
 * Buckets several proxies share (the gateways' global limits): takes one token from the bucket {@code key}, created
 * with {@code configuration} if new. The gateway provides one on Redis; agents have none (their limits are local), so
 * mesh-proxy never loads a Redis client.
 */
public interface SharedBuckets {

	CompletableFuture<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration);
}
