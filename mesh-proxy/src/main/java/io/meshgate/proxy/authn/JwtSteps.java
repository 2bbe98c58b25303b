package io.meshgate.proxy.authn;

import java.time.Duration;

import io.meshgate.model.Jwt;
import io.meshgate.model.MeshConfig;
import reactor.netty.http.client.HttpClient;

/**
 * Compiles the {@link JwtStep} of each config the edge applies, keeping the issuer's {@link SigningKeys} while
 * {@code mesh.jwt.jwks-uri} stays the same: a commit that changes a route's scopes neither drops the keys nor makes
 * requests wait for a fetch.
 */
public final class JwtSteps {

	/** Keys are fetched again in the background after this; Spring Authorization Server and most IdPs rotate slower. */
	static final Duration REFRESH = Duration.ofMinutes(5);

	/** At most one fetch per this long for tokens naming a key not in hand. */
	static final Duration COOLDOWN = Duration.ofSeconds(10);

	/** After a failed fetch with no keys in hand, requests are answered 503 at once for this long. */
	static final Duration RETRY = Duration.ofSeconds(2);

	private final HttpClient client;

	private final Duration cooldown;

	private final Duration retry;

	private SigningKeys keys;

	public JwtSteps(HttpClient client) {
		this(client, COOLDOWN, RETRY);
	}

	JwtSteps(HttpClient client, Duration cooldown, Duration retry) {
		this.client = client;
		this.cooldown = cooldown;
		this.retry = retry;
	}

	public synchronized JwtStep compile(MeshConfig config) {
		Jwt jwt = config.jwt();
		if (jwt == null) {
			keys = null;
			return JwtStep.of(config, null);
		}
		if (keys == null || !keys.uri().equals(jwt.jwksUri())) {
			keys = new SigningKeys(jwt.jwksUri(), client, REFRESH, cooldown, retry);
			keys.prefetch();
		}
		return JwtStep.of(config, new TokenVerifier(jwt, keys));
	}

	/** The keys in use, for status pages; {@code null} without {@code mesh.jwt}. */
	public synchronized SigningKeys keys() {
		return keys;
	}
}
