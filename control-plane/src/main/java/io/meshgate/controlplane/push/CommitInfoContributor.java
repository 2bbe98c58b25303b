package io.meshgate.controlplane.push;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

import io.meshgate.model.protocol.CommitStatus;

/** {@code /actuator/info} shows the config commit currently pushed to proxies. */
@Component
class CommitInfoContributor implements InfoContributor {

	private final WatchBroadcaster broadcaster;

	CommitInfoContributor(WatchBroadcaster broadcaster) {
		this.broadcaster = broadcaster;
	}

	@Override
	public void contribute(Info.Builder builder) {
		CommitStatus status = broadcaster.current();
		if (status != null) {
			builder.withDetail("config", status);
		}
	}
}
