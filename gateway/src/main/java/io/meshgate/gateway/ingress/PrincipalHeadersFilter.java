package io.meshgate.gateway.ingress;

import java.util.List;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Removes the principal headers ({@code mesh.jwt.subject-header}, {@code scopes-header}) from requests to plain
 * Spring Cloud Gateway routes: they check no token, so a caller must not be able to name a principal through them
 * either. Model routes get the same from their pipeline's {@code JwtStep}.
 */
@Component
class PrincipalHeadersFilter implements GlobalFilter, Ordered {

	private final IngressState state;

	PrincipalHeadersFilter(IngressState state) {
		this.state = state;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		List<String> names = state.tokens().principalHeaders();
		var headers = exchange.getRequest().getHeaders();
		if (names.stream().noneMatch(headers::containsHeader)) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate()
			.request(request -> request.headers(writable -> names.forEach(writable::remove)))
			.build());
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}
}
