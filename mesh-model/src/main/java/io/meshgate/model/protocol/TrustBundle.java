package io.meshgate.model.protocol;

/**
 * The roots every proxy must trust, pushed on the watch stream: one, or two through a CA rotation.
 *
 * @param pem     the root certificates, PEM, the signing one first
 * @param signing the fingerprint of the root that signs new certificates ({@code sha256:...})
 */
public record TrustBundle(String pem, String signing) {
}
