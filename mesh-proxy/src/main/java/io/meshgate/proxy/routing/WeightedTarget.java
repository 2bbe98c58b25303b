package io.meshgate.proxy.routing;

import io.meshgate.proxy.metrics.RouteMeters;

/**
 * One destination of a compiled route: a service, its share in percent, and the metrics of this route and
 * destination, resolved when the route was compiled.
 */
public record WeightedTarget(String service, int weight, RouteMeters meters) {
}
