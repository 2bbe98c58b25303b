package io.meshgate.proxy.authn;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSecurityContextJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;

/**
 * Checks the bearer tokens of one issuer with spring-security's {@link NimbusReactiveJwtDecoder} and validators:
 * the signature against the issuer's {@link SigningKeys} (RSA or EC: RS256/384/512, PS256, ES256/384), then {@code iss} exactly, {@code exp}
 * (required) and {@code nbf} with the configured clock skew, {@code aud} when audiences are configured, and a
 * {@code typ} of {@code JWT} or {@code at+jwt} when one is given. An unsigned token ({@code alg: none}) or one signed
 * with another algorithm than the key's is refused by the decoder itself. Compiled per config; the keys outlive it.
 */
public final class TokenVerifier {

	/** What issuers sign access tokens with; HMAC is not among them (the keys are public). */
	private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
			JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384);

	/** Tokens held at most; past it the cache starts over (a client's next request re-verifies its token once). */
	static final int MAX_CACHED = 4096;

	private final NimbusReactiveJwtDecoder decoder;

	private final long skewMillis;

	/**
	 * Tokens verified under this config, until they expire: a client sends the same token for minutes, and an RSA
	 * signature check per request costs the edge two thirds of its throughput (bench gateway-jwt), as Envoy's
	 * {@code jwt_cache_config} avoids too. A token's own {@code exp} and {@code nbf} are still checked on each use.
	 */
	private final ConcurrentHashMap<String, Jwt> verified = new ConcurrentHashMap<>();

	public TokenVerifier(io.meshgate.model.Jwt settings, SigningKeys keys) {
		this.decoder = NimbusReactiveJwtDecoder.withJwkSource(keys::keysFor)
			// the builder takes one algorithm; the keys it hands the processor are read from the security context
			.jwtProcessorCustomizer(processor -> processor
				.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new JWKSecurityContextJWKSet())))
			.validateType(false) // checked below, allowing RFC 9068's at+jwt
			.build();
		decoder.setJwtValidator(validator(settings));
		this.skewMillis = settings.clockSkew().toMillis();
	}

	private static OAuth2TokenValidator<Jwt> validator(io.meshgate.model.Jwt settings) {
		JwtTimestampValidator time = new JwtTimestampValidator(settings.clockSkew());
		time.setAllowEmptyExpiryClaim(false); // a token that never expires is not an access token
		JwtTypeValidator type = new JwtTypeValidator("JWT", "at+jwt");
		type.setAllowEmpty(true);
		List<OAuth2TokenValidator<Jwt>> checks = new java.util.ArrayList<>(
				List.of(type, time, new JwtIssuerValidator(settings.issuer())));
		List<String> audiences = settings.audiences();
		if (!audiences.isEmpty()) {
			checks.add(new JwtClaimValidator<Object>(JwtClaimNames.AUD,
					aud -> aud instanceof Collection<?> named ? named.stream().anyMatch(audiences::contains)
							: aud != null && audiences.contains(aud.toString())));
		}
		return new DelegatingOAuth2TokenValidator<>(checks);
	}

	/**
	 * The token's claims once checked; completed at once when its key is in hand (no allocation of a later answer
	 * then). Fails with a {@link JwtException} for a token that is not valid, with an {@link IllegalStateException}
	 * when the signing keys could not be fetched.
	 */
	public CompletableFuture<Jwt> verify(String token) {
		Jwt known = verified.get(token);
		if (known != null) {
			if (inTime(known, System.currentTimeMillis())) {
				return CompletableFuture.completedFuture(known);
			}
			verified.remove(token); // expired: the decoder says so, in its words
		}
		try {
			return decoder.decode(token).toFuture().thenApply(this::remember);
		}
		catch (JwtException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private Jwt remember(Jwt jwt) {
		if (verified.size() >= MAX_CACHED) {
			verified.clear();
		}
		verified.put(jwt.getTokenValue(), jwt);
		return jwt;
	}

	/** The timestamp check the validators made, again, for a token verified earlier. */
	private boolean inTime(Jwt jwt, long now) {
		Instant expires = jwt.getExpiresAt();
		Instant notBefore = jwt.getNotBefore();
		return expires != null && now <= expires.toEpochMilli() + skewMillis
				&& (notBefore == null || now >= notBefore.toEpochMilli() - skewMillis);
	}

	int cached() {
		return verified.size();
	}
}
