package io.meshgate.client;

/** Puts a validated config into service. Throwing rejects the config and leaves the previous one serving. */
@FunctionalInterface
public interface ConfigApplier {

	void apply(AppliedConfig config) throws Exception;
}
