package io.meshgate.proxy.forward;

/** What a listener decided for one request: a hop to an upstream, or an error it answers itself. */
public sealed interface Routing permits Hop, ProxyError {
}
