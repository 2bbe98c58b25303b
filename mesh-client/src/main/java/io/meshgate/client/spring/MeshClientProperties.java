package io.meshgate.client.spring;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a proxy reaches the control plane and where it keeps its last-known-good config.
 *
 * @param controlPlane the control plane
 * @param dataDir      the proxy's data directory ({@code <data-dir>/<application>/last-known-good.json})
 * @param profiles     the config profiles to fetch ({@code default}, or e.g. {@code compose})
 */
@ConfigurationProperties("meshgate")
public record MeshClientProperties(@DefaultValue ControlPlane controlPlane,
		@DefaultValue(".meshgate/data") Path dataDir, @DefaultValue("default") String profiles) {

	/**
	 * @param uri          the control plane's base URI
	 * @param timeout      connect and request timeout
	 * @param silenceLimit a watch stream silent this long (no event, no heartbeat) is treated as dead and reopened
	 */
	public record ControlPlane(@DefaultValue("https://127.0.0.1:8888") URI uri, @DefaultValue("2s") Duration timeout,
			@DefaultValue("30s") Duration silenceLimit) {
	}
}
