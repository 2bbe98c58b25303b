package io.meshgate.proxy.mirror;

import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.core.Hop;

/**
 * The copy one exchange sends (set by {@link MirrorStep}): where it goes, the endpoint picked, and its counters.
 */
public record Mirrored(Hop hop, EndpointStats endpoint, MirrorMeters meters) {
}
