package io.meshgate.proxy.authz;

import java.util.function.Supplier;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ProxyError;
import io.meshgate.proxy.core.Step;
import io.meshgate.proxy.core.Verdict;

/**
 * Authorization, a step of the pipeline: the call to the service the earlier steps chose goes on only if the
 * service's policy allows its caller, method and normalised path (the pipeline has refused a path it could not
 * normalise before any step runs, so {@code /stock/../admin} or an encoded slash never reaches a rule). The caller is
 * the service of the SPIFFE ID the caller's certificate proved, never anything the request says. Refused: 403
 * {@code denied} naming the service, counted in the golden metrics with outcome {@code denied}.
 */
public final class AuthorizationStep implements Step {

	private final Supplier<Policies> policies;

	/** @param policies the policies of the config applied now (read per request: one volatile read) */
	public AuthorizationStep(Supplier<Policies> policies) {
		this.policies = policies;
	}

	@Override
	public Verdict apply(Exchange exchange) {
		String service = exchange.destination();
		if (policies.get().allows(service, exchange.head().peerIdentity(), exchange.head().method().name(),
				exchange.head().path(), exchange.head().headers())) {
			return Verdict.NEXT;
		}
		return ProxyError.denied(service);
	}
}
