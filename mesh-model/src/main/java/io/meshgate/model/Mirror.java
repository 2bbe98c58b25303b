package io.meshgate.model;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Shadow traffic: a copy of a share of a route's requests also goes to another service, fire and forget. Its answers
 * are dropped, it never delays or fails the request it copies, and at most a bounded number of copies are in flight
 * per proxy (beyond, copies are dropped and counted). Requests with a body are not copied.
 *
 * @param service the service that gets the copies (a new version under test, say)
 * @param percent share of the route's requests copied (0 to 100)
 */
public record Mirror(String service, @DefaultValue("100") double percent) {
}
