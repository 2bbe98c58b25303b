package io.meshgate.demo.auth;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * Everything the demo authorization server adds to Spring Boot's auto-configuration. The registered client, its
 * token settings and the issuer are properties (application.yml, overridable by MESHGATE_AUTH_SERVER_* variables);
 * Boot turns them into the RegisteredClientRepository and AuthorizationServerSettings.
 */
@Configuration(proxyBeanMethods = false)
class AuthServerConfig {

	/** The audience every access token names beside its client: what the gateway checks a token was meant for. */
	static final String AUDIENCE = "meshgate";

	/**
	 * Only the authorization server's own endpoints (token, JWKS, metadata, introspection, revocation...), and none
	 * of Boot's default chain: there are no users here (client credentials only), so no login form, no OIDC (which
	 * needs a user), and a plain 401 instead of a redirect to /login for a client that did not authenticate. Any
	 * other path matches no chain and gets a 404.
	 */
	@Bean
	SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http) throws Exception {
		http.oauth2AuthorizationServer(server -> http.securityMatcher(server.getEndpointsMatcher()))
			.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
			.exceptionHandling(errors -> errors.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
		return http.build();
	}

	/**
	 * The signing key: RSA 2048, made at start and kept in memory only, published at /oauth2/jwks under a fresh
	 * {@code kid}. A restart makes a new key, so tokens issued before it no longer verify; a resource server (the
	 * gateway) that meets the new kid fetches the JWKS again. Enough for a demo, and no key material on disk.
	 */
	@Bean
	JWKSource<SecurityContext> jwkSource() throws NoSuchAlgorithmException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair keyPair = generator.generateKeyPair();
		RSAKey key = new RSAKey.Builder((RSAPublicKey) keyPair.getPublic())
			.privateKey((RSAPrivateKey) keyPair.getPrivate())
			.keyID(UUID.randomUUID().toString())
			.build();
		return new ImmutableJWKSet<>(new JWKSet(key));
	}

	/**
	 * Adds {@value #AUDIENCE} to {@code aud} of every access token, beside the client id the server puts there: the
	 * gateway accepts only tokens issued for it, not any token this issuer ever signed.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> meshgateAudience() {
		return context -> {
			if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				context.getClaims().claims(claims -> {
					List<String> audience = new ArrayList<>();
					if (claims.get("aud") instanceof Iterable<?> current) {
						current.forEach(value -> audience.add(value.toString()));
					}
					if (audience.isEmpty()) {
						audience.add(context.getRegisteredClient().getClientId());
					}
					if (!audience.contains(AUDIENCE)) {
						audience.add(AUDIENCE);
					}
					claims.put("aud", audience);
				});
			}
		};
	}
}
