package io.meshgate.agent.inbound;

import java.util.HashSet;
import java.util.Set;

import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigSync;
import io.meshgate.model.MeshConfig;

/**
 * Which services of the model take plain-text calls on a node's inbound listener ({@code mesh.mode} and each
 * service's {@code mode}), as of the applied config: one immutable snapshot per config, read per request without a
 * lock. Before any config, every service is strict.
 */
public final class InboundModes implements ConfigSync.Listener {

	private record Snapshot(boolean permissiveByDefault, Set<String> permissive, Set<String> strict) {
	}

	private volatile Snapshot current = new Snapshot(false, Set.of(), Set.of());

	@Override
	public void applied(AppliedConfig config) {
		MeshConfig mesh = config.model();
		Set<String> permissive = new HashSet<>();
		Set<String> strict = new HashSet<>();
		mesh.services().forEach((name, spec) -> {
			if (spec != null && spec.mode() != null) {
				(spec.mode() == MeshConfig.Mode.PERMISSIVE ? permissive : strict).add(name);
			}
		});
		current = new Snapshot(mesh.mode() == MeshConfig.Mode.PERMISSIVE, Set.copyOf(permissive), Set.copyOf(strict));
	}

	/** Whether {@code service}'s workloads here take a call that came in plain text. */
	public boolean allowsPlainText(String service) {
		Snapshot snapshot = current;
		return snapshot.permissiveByDefault ? !snapshot.strict.contains(service) : snapshot.permissive.contains(service);
	}
}
