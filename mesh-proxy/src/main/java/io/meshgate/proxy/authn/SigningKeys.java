package io.meshgate.proxy.authn;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * An issuer's signing keys, its JWK Set, fetched over HTTP without blocking and kept: a token whose key is known
 * is checked at once, with no I/O. The set is fetched when the edge starts using it, again in the background once it
 * is older than {@code refresh} (a request goes on with the keys it has), and at once when a token names a key not
 * seen yet (the issuer rotated), but at most once per {@code cooldown}, so tokens with made-up key ids cannot make the
 * edge hammer the issuer. One fetch at a time; callers that arrive meanwhile wait for it.
 */
public final class SigningKeys {

	/** A JWK Set is a few keys; more than this is not one. */
	static final int MAX_BYTES = 512 * 1024;

	private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

	private final URI uri;

	private final HttpClient client;

	private final long refreshNanos;

	private final long cooldownNanos;

	private final long retryNanos;

	private final LongSupplier clock;

	private volatile Fetched current;

	private final AtomicReference<Mono<Fetched>> inFlight = new AtomicReference<>();

	/** When a token naming an unknown key last caused a fetch; far in the past at first. */
	private volatile long lastUnknownKeyFetch;

	private static final AtomicLongFieldUpdater<SigningKeys> LAST_UNKNOWN = AtomicLongFieldUpdater
		.newUpdater(SigningKeys.class, "lastUnknownKeyFetch");

	private volatile Failed lastFailure;

	private record Fetched(JWKSet keys, long at) {
	}

	private record Failed(Throwable error, long at) {
	}

	/**
	 * @param refresh  age after which the keys are fetched again in the background
	 * @param cooldown at most one fetch per this long for tokens naming a key not in hand
	 * @param retry    after a failed fetch with no keys in hand, requests fail at once for this long
	 */
	public SigningKeys(URI uri, HttpClient client, Duration refresh, Duration cooldown, Duration retry) {
		this(uri, client, refresh, cooldown, retry, System::nanoTime);
	}

	SigningKeys(URI uri, HttpClient client, Duration refresh, Duration cooldown, Duration retry, LongSupplier clock) {
		this.retryNanos = retry.toNanos();
		this.uri = uri;
		this.client = client.followRedirect(false).responseTimeout(FETCH_TIMEOUT);
		this.refreshNanos = refresh.toNanos();
		this.cooldownNanos = cooldown.toNanos();
		this.clock = clock;
		this.lastUnknownKeyFetch = clock.getAsLong() - cooldownNanos;
	}

	public URI uri() {
		return uri;
	}

	/** Starts the first fetch, so the first request does not wait for it. */
	public void prefetch() {
		if (current == null) {
			fetch().subscribe(fetched -> {
			}, failure -> {
			});
		}
	}

	/**
	 * The keys a token may be signed with, for spring-security's {@code NimbusReactiveJwtDecoder}: the set in hand
	 * when it has the token's key (completing at once), else a fresh set once fetched. A failed fetch with nothing in
	 * hand is an error ({@code Could not obtain the keys}), which the step answers 503: the edge cannot check tokens.
	 */
	public Flux<JWK> keysFor(SignedJWT token) {
		Fetched fetched = current;
		Failed failed = lastFailure;
		if (fetched == null && failed != null && clock.getAsLong() - failed.at() < retryNanos) {
			return Flux.error(failed.error()); // the issuer just failed: not once more per request while it is down
		}
		String keyId = token.getHeader().getKeyID();
		if (fetched != null && (keyId == null || fetched.keys().getKeyByKeyId(keyId) != null)) {
			if (clock.getAsLong() - fetched.at() > refreshNanos) {
				fetch().subscribe(fresh -> {
				}, failure -> {
				});
			}
			return Flux.fromIterable(fetched.keys().getKeys());
		}
		if (fetched != null) {
			long now = clock.getAsLong();
			long last = lastUnknownKeyFetch;
			if (now - last < cooldownNanos || !LAST_UNKNOWN.compareAndSet(this, last, now)) {
				return Flux.fromIterable(fetched.keys().getKeys()); // an unknown key, asked again too soon: refused
			}
		}
		return fetch().flatMapIterable(fresh -> fresh.keys().getKeys());
	}

	/** The key ids in hand, for status pages; empty before the first fetch. */
	public List<String> keyIds() {
		Fetched fetched = current;
		return fetched == null ? List.of() : fetched.keys().getKeys().stream().map(JWK::getKeyID).toList();
	}

	private Mono<Fetched> fetch() {
		Mono<Fetched> running = inFlight.get();
		if (running != null) {
			return running;
		}
		// cleared before the result reaches anyone waiting: the next caller starts a new fetch, never reuses a failed one
		Mono<Fetched> fetch = Mono.defer(this::download)
			.doOnError(error -> lastFailure = new Failed(error, clock.getAsLong()))
			.doOnTerminate(() -> inFlight.set(null))
			.cache();
		if (!inFlight.compareAndSet(null, fetch)) {
			Mono<Fetched> other = inFlight.get();
			return other != null ? other : fetch;
		}
		return fetch;
	}

	private Mono<Fetched> download() {
		return client.headers(headers -> headers.set(HttpHeaderNames.ACCEPT, "application/json"))
			.get()
			.uri(uri)
			.response((response, content) -> {
				if (response.status().code() != 200) {
					return Mono.error(new IllegalStateException(uri + " answered " + response.status().code()));
				}
				// read into a bounded buffer: a misconfigured URI must not make the edge hold a whole download
				return content.asByteArray().reduceWith(ByteArrayOutputStream::new, (read, chunk) -> {
					if (read.size() + chunk.length > MAX_BYTES) {
						throw new IllegalStateException(uri + " sent more than " + MAX_BYTES + " bytes: not a JWK Set");
					}
					read.writeBytes(chunk);
					return read;
				});
			})
			.next()
			.map(read -> parse(read.toString(StandardCharsets.UTF_8)));
	}

	private Fetched parse(String json) {
		try {
			JWKSet keys = JWKSet.parse(json);
			Fetched fetched = new Fetched(keys, clock.getAsLong());
			current = fetched;
			lastFailure = null;
			return fetched;
		}
		catch (ParseException ex) {
			throw new IllegalStateException(uri + " sent no JWK Set: " + ex.getMessage(), ex);
		}
	}
}
