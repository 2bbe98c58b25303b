package io.meshgate.proxy.core;

/**
 * One decision of the request pipeline, compiled from the model into a snapshot (immutable: a config or registry
 * change builds new steps). Named after its config key where it has one, as Spring Cloud Gateway's filter factories.
 * It reads the {@link RequestHead} and what earlier steps set on the {@link Exchange}, may set more, and returns a
 * {@link Verdict}. It runs on the caller's event loop: no blocking, no logging per request.
 */
@FunctionalInterface
public interface Step {

	Verdict apply(Exchange exchange);
}
