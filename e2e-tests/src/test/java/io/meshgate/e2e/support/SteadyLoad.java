package io.meshgate.e2e.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Requests at a fixed rate for a while, as a client population would send them (open loop: a slow answer does not
 * slow the sending), counting what came back: successes, failures (any status but 2xx, or no answer), and which
 * instance served each (the demo services name themselves in {@code "instance"}).
 */
public final class SteadyLoad {

	private static final Pattern INSTANCE = Pattern.compile("\"instance\":\"([^\"]+)\"");

	private final String url;

	private final String host;

	public final LongAdder sent = new LongAdder();

	public final LongAdder succeeded = new LongAdder();

	public final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

	public final Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();

	/** @param host the Host header (the service, for an agent's outbound listener); {@code null}: the URL's */
	public SteadyLoad(String url, String host) {
		this.url = url;
		this.host = host;
	}

	/** Sends {@code rps} requests a second for {@code duration}; completes when the last answer arrived. */
	public Mono<SteadyLoad> run(int rps, Duration duration) {
		ConnectionProvider connections = ConnectionProvider.builder("steady-load")
			.maxConnections(512)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(connections)
			.responseTimeout(Duration.ofSeconds(10))
			.headers(headers -> {
				if (host != null) {
					headers.set("host", host);
				}
			});
		long requests = rps * duration.toSeconds();
		return Flux.interval(Duration.ofNanos(1_000_000_000L / rps))
			.take(requests)
			.onBackpressureBuffer()
			.flatMap(tick -> {
				sent.increment();
				return client.get()
					.uri(url + tick)
					.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> {
						if (response.status().code() / 100 == 2) {
							succeeded.increment();
							Matcher instance = INSTANCE.matcher(text);
							servedBy.computeIfAbsent(instance.find() ? instance.group(1) : "?", i -> new AtomicInteger())
								.incrementAndGet();
						}
						else {
							failed(response.status().code() + " " + text);
						}
						return text;
					}))
					.onErrorResume(error -> {
						failed(error.toString());
						return Mono.empty();
					});
			}, 1024)
			.then(Mono.fromCallable(() -> this))
			.doFinally(signal -> connections.dispose());
	}

	private void failed(String what) {
		failures.computeIfAbsent(what.length() > 200 ? what.substring(0, 200) : what, w -> new AtomicInteger())
			.incrementAndGet();
	}

	public long failed() {
		return failures.values().stream().mapToLong(AtomicInteger::get).sum();
	}

	/** The share of successful requests {@code instance} served. */
	public double shareOf(String instance) {
		AtomicInteger count = servedBy.get(instance);
		return count == null ? 0 : count.get() / succeeded.doubleValue();
	}

	@Override
	public String toString() {
		return "sent " + sent + ", succeeded " + succeeded + ", served by " + servedBy + ", failures " + failures;
	}
}
