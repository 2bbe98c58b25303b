package io.meshgate.controlplane;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param pollInterval how often Git is asked for the label's head commit
 * @param heartbeat    how often an idle watch stream gets a comment line, so proxies and intermediaries see it alive
 * @param applications the applications whose view of each commit is validated (application.yml plus {app}.yml)
 * @param profiles     the profiles validated for each of them
 * @param registryWarmup after a start, how long endpoints are withheld from subscribers: the registry is empty
 *                     until live agents re-register (their heartbeat), and an empty set would make every proxy drop
 *                     its endpoints meanwhile
 */
@ConfigurationProperties("meshgate.control-plane")
public record ControlPlaneProperties(@DefaultValue("1s") Duration pollInterval, @DefaultValue("10s") Duration heartbeat,
		@DefaultValue({ "gateway", "mesh-agent" }) List<String> applications,
		@DefaultValue("default") List<String> profiles, @DefaultValue("2s") Duration registryWarmup) {
}
