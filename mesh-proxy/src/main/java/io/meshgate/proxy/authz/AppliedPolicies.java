package io.meshgate.proxy.authz;

import java.util.function.Supplier;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigSync;

/**
 * The policies of the config a proxy applies now, compiled once per config. Before the first config (no
 * last-known-good copy and no control plane yet), nothing is allowed: a proxy that does not know the policies does
 * not guess them.
 */
public final class AppliedPolicies implements ConfigSync.Listener, Supplier<Policies> {

	private volatile Policies current = Policies.DENY_ALL;

	@Override
	public void applied(AppliedConfig config) {
		current = Policies.compile(config.model());
	}

	@Override
	public Policies get() {
		return current;
	}
}
