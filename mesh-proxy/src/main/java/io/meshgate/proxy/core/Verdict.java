package io.meshgate.proxy.core;

import java.util.concurrent.CompletionStage;

/**
 * What a {@link Step} decided for a request: go on to the next step, answer it ({@link ProxyError}), leave it to
 * whatever else the listener serves ({@link #PASS}, only before any step answered later), or answer later.
 */
public sealed interface Verdict permits Verdict.Go, ProxyError, Verdict.Later {

	/** On to the next step. */
	Verdict NEXT = Go.NEXT;

	/** Not this listener's request (the gateway hands it to Spring WebFlux, the relay to reactor-netty). */
	Verdict PASS = Go.PASS;

	/**
	 * A decision that needs I/O (a JWKS fetch, a Redis call, a delay): the pipeline goes on on the request's event
	 * loop once the stage completes, and the transport holds the request meanwhile. Never block a step instead.
	 */
	static Verdict later(CompletionStage<Verdict> stage) {
		return new Later(stage);
	}

	enum Go implements Verdict {
		NEXT, PASS
	}

	record Later(CompletionStage<Verdict> stage) implements Verdict {
	}
}
