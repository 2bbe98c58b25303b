package io.meshgate.proxy.authn;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidationException;

import io.meshgate.model.MeshConfig;
import io.meshgate.model.Route;
import io.meshgate.model.RouteAuth;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * The edge's bearer-token check, a route's {@code auth} under {@code mesh.jwt}: after the route and its split (so
 * refusals are counted under the route and destination), before balancing picks an endpoint. A route that requires a token gets one checked by the {@link TokenVerifier} (at once when the issuer's key is
 * in hand, else as a later answer once the keys are fetched: never blocking the event loop), then its scopes; the
 * service gets the token's subject and scopes in the headers {@code mesh.jwt} names. Those headers are removed from
 * every request the step sees first, public routes included, so no caller can write a principal itself. Answers, as
 * RFC 6750 says: 401 with {@code WWW-Authenticate: Bearer} when the token is missing or invalid, 403
 * {@code insufficient_scope} when it lacks a scope, and 503 when the keys cannot be fetched (the edge cannot tell).
 */
public final class JwtStep implements Step {

	static final String REALM = "meshgate";

	/** RFC 6750 2.1: {@code Bearer} and a b64token. */
	private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

	private static final AsciiString BEARER = AsciiString.cached("bearer ");

	private final Map<String, List<String>> scopesByRoute;

	private final TokenVerifier verifier;

	private final AsciiString subjectHeader;

	private final AsciiString scopesHeader;

	private final List<String> principalHeaders;

	private JwtStep(Map<String, List<String>> scopesByRoute, TokenVerifier verifier, String subjectHeader,
			String scopesHeader) {
		this.scopesByRoute = scopesByRoute;
		this.verifier = verifier;
		this.subjectHeader = AsciiString.cached(subjectHeader);
		this.scopesHeader = AsciiString.cached(scopesHeader);
		this.principalHeaders = List.of(subjectHeader, scopesHeader);
	}

	/**
	 * @param verifier checks the tokens of {@code mesh.jwt}; {@code null} when the config has none (then no route
	 *                 requires a token: validation made sure of it)
	 */
	public static JwtStep of(MeshConfig config, TokenVerifier verifier) {
		io.meshgate.model.Jwt jwt = config.jwt();
		Map<String, List<String>> scopes = new HashMap<>();
		for (Route route : config.routes()) {
			RouteAuth auth = route.authUnder(jwt);
			if (route.ingress() != null && auth.required() && verifier != null) {
				scopes.put(route.id(), auth.scopes());
			}
		}
		return new JwtStep(Map.copyOf(scopes), verifier,
				jwt == null ? io.meshgate.model.Jwt.DEFAULT_SUBJECT_HEADER : jwt.subjectHeader(),
				jwt == null ? io.meshgate.model.Jwt.DEFAULT_SCOPES_HEADER : jwt.scopesHeader());
	}

	/** Whether the route takes only requests with a valid token. */
	public boolean requiresToken(String route) {
		return scopesByRoute.containsKey(route);
	}

	/** The scopes a route's token must grant; empty for a public route. */
	public List<String> scopes(String route) {
		return scopesByRoute.getOrDefault(route, List.of());
	}

	/** The headers the service gets the principal in, removed from whatever a caller sent (read per request). */
	public List<String> principalHeaders() {
		return principalHeaders;
	}

	@Override
	public Verdict apply(Exchange exchange) {
		HttpHeaders headers = exchange.head().headers();
		headers.remove(subjectHeader);
		headers.remove(scopesHeader);
		List<String> required = scopesByRoute.get(exchange.route());
		if (required == null) {
			return Verdict.NEXT;
		}
		List<String> authorization = headers.getAll(HttpHeaderNames.AUTHORIZATION);
		if (authorization.size() > 1) {
			return invalid("send one Authorization header");
		}
		String value = authorization.isEmpty() ? null : authorization.get(0);
		if (value == null || value.length() < BEARER.length()
				|| !BEARER.contentEqualsIgnoreCase(value.subSequence(0, BEARER.length()))) {
			return new ProxyError(HttpResponseStatus.UNAUTHORIZED, Outcome.UNAUTHENTICATED,
					"this route requires a bearer token (Authorization: Bearer <token>)", null,
					"Bearer realm=\"" + REALM + "\"");
		}
		String token = value.substring(BEARER.length()).trim();
		if (!B64TOKEN.matcher(token).matches()) {
			return invalid("the bearer token is malformed");
		}
		CompletableFuture<Jwt> verified = verifier.verify(token);
		if (verified.isDone()) {
			return judge(verified, exchange, headers, required);
		}
		return Verdict.later(verified.handle((jwt, failure) -> judge(verified, exchange, headers, required)));
	}

	/**
	 * The answer to a checked token. Sets the principal headers when it passes: on the event loop when the keys were
	 * in hand, else on the thread that completed the fetch, before the pipeline resumes on the request's loop (the
	 * transport holds the request meanwhile and touches none of its headers).
	 */
	private Verdict judge(CompletableFuture<Jwt> verified, Exchange exchange, HttpHeaders headers,
			List<String> required) {
		Jwt jwt;
		try {
			jwt = verified.join();
		}
		catch (CompletionException | java.util.concurrent.CancellationException failed) {
			return refused(failed.getCause() == null ? failed : failed.getCause());
		}
		List<String> granted = scopes(jwt);
		for (int i = 0; i < required.size(); i++) {
			if (!granted.contains(required.get(i))) {
				String scope = String.join(" ", required);
				return new ProxyError(HttpResponseStatus.FORBIDDEN, Outcome.INSUFFICIENT_SCOPE,
						"the bearer token lacks a scope this route requires: " + scope, null,
						"Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\", scope=\"" + scope + "\"");
			}
		}
		if (jwt.getSubject() != null) {
			headers.set(subjectHeader, jwt.getSubject());
			exchange.principal(jwt.getSubject());
		}
		headers.set(scopesHeader, String.join(" ", granted));
		return Verdict.NEXT;
	}

	private static Verdict refused(Throwable failure) {
		if (failure instanceof IllegalStateException) {
			Throwable cause = failure.getCause() == null ? failure : failure.getCause();
			return new ProxyError(HttpResponseStatus.SERVICE_UNAVAILABLE, Outcome.AUTH_UNAVAILABLE,
					"the edge cannot check bearer tokens now: the issuer's signing keys are unavailable",
					"JWK Set: " + cause);
		}
		if (failure instanceof JwtValidationException validation && !validation.getErrors().isEmpty()) {
			OAuth2Error error = validation.getErrors().iterator().next();
			return invalid("the bearer token is not valid: " + error.getDescription());
		}
		return invalid("the bearer token is not valid: " + reason(failure));
	}

	/**
	 * The decoder's own words without its preamble, from the innermost cause that has some ("Signed JWT rejected:
	 * Invalid signature" rather than its wrapper's "Failed to validate the token"), kept short.
	 */
	private static String reason(Throwable failure) {
		Throwable innermost = failure;
		while (innermost.getCause() != null && innermost.getCause() != innermost
				&& innermost.getCause().getMessage() != null) {
			innermost = innermost.getCause();
		}
		String message = innermost.getMessage();
		if (message == null) {
			return "its signature or format was refused";
		}
		int colon = message.indexOf("the Jwt: ");
		String reason = colon >= 0 ? message.substring(colon + "the Jwt: ".length()) : message;
		return reason.length() > 160 ? reason.substring(0, 160) : reason;
	}

	private static ProxyError invalid(String message) {
		return new ProxyError(HttpResponseStatus.UNAUTHORIZED, Outcome.UNAUTHENTICATED, message, null,
				"Bearer realm=\"" + REALM + "\", error=\"invalid_token\", error_description=\""
						+ message.replace('"', '\'').replace('\\', '/') + "\"");
	}

	/** {@code scope} as a space-separated string (RFC 9068, Spring Authorization Server) or {@code scp} as a list. */
	static List<String> scopes(Jwt jwt) {
		Object scope = jwt.getClaims().get("scope");
		if (scope == null) {
			scope = jwt.getClaims().get("scp");
		}
		if (scope instanceof String text) {
			return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
		}
		if (scope instanceof Collection<?> list) {
			return list.stream().map(String::valueOf).toList();
		}
		return List.of();
	}
}
