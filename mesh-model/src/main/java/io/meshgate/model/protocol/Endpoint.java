package io.meshgate.model.protocol;

import java.net.URI;

/**
 * One instance of a service: the node that runs it and the address of that node's inbound listener.
 *
 * @param service the service
 * @param node    the node
 * @param address the node's inbound listener ({@code http://127.0.0.1:16006})
 */
public record Endpoint(String service, String node, URI address) {
}
