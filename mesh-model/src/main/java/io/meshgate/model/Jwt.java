package io.meshgate.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the edge checks bearer tokens: JWT access tokens (RFC 9068) from one issuer. With it set, every ingress route
 * takes only requests with a valid token unless the route says {@code auth: none}; the gateway forwards the token's
 * subject and scopes in the headers named here, and removes whatever a caller sent in them.
 *
 * @param issuer        the {@code iss} every token must carry, exactly
 * @param jwksUri       where the issuer publishes its signing keys (a JWK Set); fetched and refreshed in the
 *                      background, and again when a token names a key not seen yet
 * @param audiences     a token must name one of these in {@code aud}; empty: the audience is not checked
 * @param clockSkew     leeway on {@code exp} and {@code nbf} for clocks that drift apart
 * @param subjectHeader the header a service gets the token's {@code sub} in
 * @param scopesHeader  the header a service gets the token's scopes in, separated by spaces
 */
public record Jwt(String issuer, URI jwksUri, List<String> audiences, @DefaultValue("60s") Duration clockSkew,
		@DefaultValue("x-meshgate-subject") String subjectHeader,
		@DefaultValue("x-meshgate-scopes") String scopesHeader) {

	public static final String DEFAULT_SUBJECT_HEADER = "x-meshgate-subject";

	public static final String DEFAULT_SCOPES_HEADER = "x-meshgate-scopes";

	public Jwt {
		audiences = Immutables.list(audiences);
		clockSkew = clockSkew == null ? Duration.ofSeconds(60) : clockSkew;
		subjectHeader = subjectHeader == null ? DEFAULT_SUBJECT_HEADER : subjectHeader;
		scopesHeader = scopesHeader == null ? DEFAULT_SCOPES_HEADER : scopesHeader;
	}
}
