package io.meshgate.model.protocol;

/**
 * A CA root rotation, as the operator asks for it; both optional.
 *
 * @param propagation how long the new root is trusted before it signs (the push must reach every proxy first);
 *                    a duration such as {@code 60s}
 * @param overlap     how long the old root stays trusted once the new one signs: at least the life of the
 *                    certificates it signed
 */
public record RotationRequest(String propagation, String overlap) {
}
