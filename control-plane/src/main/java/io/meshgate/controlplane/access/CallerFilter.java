package io.meshgate.controlplane.access;

import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.meshgate.controlplane.ApiRefusal;
import io.meshgate.controlplane.ca.Entitlements;
import io.meshgate.controlplane.ca.OperatorSecret;
import io.meshgate.model.identity.Pem;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates every request to the control plane's port before any controller or the config server sees it. The
 * TLS handshake has already checked a client certificate against the mesh's roots (expired or foreign ones never get
 * this far); here its SPIFFE ID must be a node's, {@code spiffe://<td>/node/<name>}. The operator is recognised by
 * the operator secret ({@code Authorization: Bearer}). What each path needs is {@link Access}'s; a request without
 * it gets 401 (403 for a caller of the wrong kind) with the API's JSON error, and nothing of the config.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class CallerFilter extends OncePerRequestFilter {

	private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

	private final OperatorSecret operator;

	private final JsonMapper json = JsonMapper.builder().build();

	CallerFilter(OperatorSecret operator) {
		this.operator = operator;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Access access = Access.of(request.getMethod(), request.getRequestURI());
		if (access == Access.OPEN) {
			chain.doFilter(request, response);
			return;
		}
		Caller caller;
		try {
			caller = caller(request);
		}
		catch (ApiRefusal refusal) {
			refuse(response, refusal);
			return;
		}
		String needed = switch (access) {
			case OPERATOR -> caller instanceof Caller.Operator ? null : "the operator secret (Authorization: Bearer ...)";
			case NODE -> caller instanceof Caller.Node ? null : "a node's client certificate";
			default -> caller != null ? null : "a client certificate of the mesh (a node's identity) or the operator secret";
		};
		if (needed != null) {
			HttpStatus status = caller == null ? HttpStatus.UNAUTHORIZED : HttpStatus.FORBIDDEN;
			refuse(response, new ApiRefusal(status, status == HttpStatus.UNAUTHORIZED ? "unauthorized" : "forbidden",
					request.getMethod() + " " + request.getRequestURI() + " needs " + needed));
			return;
		}
		request.setAttribute(Caller.ATTRIBUTE, caller);
		chain.doFilter(request, response);
	}

	/** The node whose certificate came with the handshake, else the operator, else {@code null}. */
	private Caller caller(HttpServletRequest request) {
		if (request.getAttribute(CERTIFICATES) instanceof X509Certificate[] chain && chain.length > 0) {
			String id;
			try {
				id = Pem.spiffeId(chain[0]);
			}
			catch (IllegalArgumentException ex) {
				throw new ApiRefusal(HttpStatus.FORBIDDEN, "forbidden", "the client certificate has no SPIFFE ID");
			}
			String path = URI.create(id).getPath();
			if (!path.startsWith("/node/")) {
				throw new ApiRefusal(HttpStatus.FORBIDDEN, "forbidden",
						"the control plane takes node identities (spiffe://<trust-domain>/node/<name>), not " + id);
			}
			return new Caller.Node(path.substring("/node/".length()), chain[0], Entitlements.of(chain[0]));
		}
		if (operator.admits(request.getHeader(HttpHeaders.AUTHORIZATION))) {
			return new Caller.Operator();
		}
		return null;
	}

	private void refuse(HttpServletResponse response, ApiRefusal refusal) throws IOException {
		var answer = refusal.answer();
		response.setStatus(answer.getStatusCode().value());
		response.setContentType("application/json");
		if (answer.getStatusCode().value() == 401) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"meshgate-control-plane\"");
		}
		response.getOutputStream().write(json.writeValueAsBytes(answer.getBody()));
	}
}
