package io.meshgate.gateway.ratelimit;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.RateLimit;
import io.meshgate.model.RateLimiting;
import io.meshgate.proxy.ratelimit.SharedBuckets;

/**
 * The gateways' shared rate-limit buckets, in the Redis of {@code mesh.rate-limiting}: Bucket4j's compare-and-swap
 * buckets over one Lettuce connection (asynchronous: a request never waits on an event loop). The connection follows
 * the config: a new address connects anew, none closes it. When Redis is down, calls fail at once (Lettuce rejects
 * commands while disconnected, and reconnects by itself); a first connection that failed is tried again at most once a
 * second, from the requests that need it. What a request does then is the limit's {@code on-redis-failure}.
 */
public final class RedisBuckets implements SharedBuckets, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisBuckets.class);

	private static final long RETRY_CONNECT_NANOS = 1_000_000_000L;

	/** A bucket nobody used for this long after it was full again is dropped by Redis. */
	private static final Duration KEEP_FULL_BUCKETS = Duration.ofSeconds(10);

	/** Lettuce's own threads: few, the work per call is small. */
	private final ClientResources resources = DefaultClientResources.builder()
		.ioThreadPoolSize(1)
		.computationThreadPoolSize(1)
		.build();

	private volatile Redis current;

	/**
	 * Follows the config's {@code mesh.rate-limiting}: called before the routes' limits are compiled. Connects as soon
	 * as a route has a global limit, so its first requests find the connection open; a config without one opens none.
	 */
	public synchronized void apply(MeshConfig config) {
		RateLimiting settings = config.rateLimiting();
		URI uri = settings == null ? null : settings.redis();
		Redis previous = current;
		if (previous == null || !Objects.equals(previous.uri, uri) || !previous.timeout.equals(settings.timeout())) {
			current = uri == null ? null : new Redis(uri, settings.timeout());
			if (previous != null) {
				previous.close();
			}
		}
		boolean needed = config.routes()
			.stream()
			.anyMatch(route -> route.rateLimit() != null && route.rateLimit().scope() == RateLimit.Scope.GLOBAL);
		if (needed && current != null) {
			current.connect();
		}
	}

	@Override
	public CompletableFuture<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration) {
		Redis redis = current;
		if (redis == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("no mesh.rate-limiting.redis"));
		}
		AsyncProxyManager<String> buckets = redis.buckets();
		if (buckets == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("not connected to " + redis.uri));
		}
		return buckets.builder().build(key, configuration).tryConsumeAndReturnRemaining(1);
	}

	@Override
	public synchronized void close() {
		if (current != null) {
			current.close();
			current = null;
		}
		resources.shutdown();
	}

	/** One Redis server: its client, and its connection once made. */
	private final class Redis {

		private final URI uri;

		private final Duration timeout;

		private final RedisClient client;

		private volatile AsyncProxyManager<String> buckets;

		private volatile StatefulRedisConnection<String, byte[]> connection;

		private long lastAttempt = System.nanoTime() - RETRY_CONNECT_NANOS;

		private boolean connecting;

		private boolean closed;

		Redis(URI uri, Duration timeout) {
			this.uri = uri;
			this.timeout = timeout;
			this.client = RedisClient.create(resources, RedisURI.create(uri));
			this.client.setOptions(ClientOptions.builder()
				.autoReconnect(true)
				.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
				.timeoutOptions(TimeoutOptions.enabled(timeout.multipliedBy(10)))
				.build());
			// connected once a global limit needs it (apply, or the first request after a failed attempt)
		}

		AsyncProxyManager<String> buckets() {
			AsyncProxyManager<String> ready = buckets;
			if (ready == null) {
				connect();
			}
			return ready;
		}

		/** Opens the connection unless it is open, being opened, or was tried less than a second ago. */
		synchronized void connect() {
			long now = System.nanoTime();
			if (closed || buckets != null || connecting || now - lastAttempt < RETRY_CONNECT_NANOS) {
				return;
			}
			lastAttempt = now;
			connecting = true;
			client.connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), RedisURI.create(uri))
				.whenComplete((opened, failure) -> connected(opened, failure));
		}

		private synchronized void connected(StatefulRedisConnection<String, byte[]> opened, Throwable failure) {
			connecting = false;
			if (failure != null) {
				logger.warn("Rate limits: cannot connect to Redis at " + uri + " (" + failure.getMessage()
						+ "); trying again while requests need it");
				return;
			}
			if (closed) {
				opened.closeAsync();
				return;
			}
			connection = opened;
			buckets = Bucket4jLettuce.casBasedBuilder(opened)
				.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL_BUCKETS))
				.build()
				.asAsync();
			logger.info("Rate limits: connected to Redis at " + uri);
		}

		synchronized void close() {
			closed = true;
			buckets = null;
			if (connection != null) {
				connection.closeAsync();
			}
			client.shutdownAsync();
		}
	}
}
