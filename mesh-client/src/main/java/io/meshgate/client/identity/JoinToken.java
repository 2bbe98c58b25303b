package io.meshgate.client.identity;

/**
 * A join token as the operator hands it to a node: {@code mg1.<id>.<secret>.<fingerprint>}. The fingerprint (the
 * SHA-256 of the CA root's public key) is what the node trusts on first contact: an answer whose root does not
 * match it is not the control plane's.
 */
public record JoinToken(String text, String fingerprint) {

	public static JoinToken parse(String text) {
		String[] parts = text == null ? new String[0] : text.trim().split("\\.");
		if (parts.length != 4 || !parts[0].equals("mg1") || !parts[3].matches("[0-9a-f]{64}")) {
			throw new IllegalArgumentException(
					"the join token is malformed (expected mg1.<id>.<secret>.<fingerprint>, as bin/meshgate token create prints)");
		}
		return new JoinToken(text.trim(), "sha256:" + parts[3]);
	}

	@Override
	public String toString() {
		return "JoinToken[" + fingerprint + "]"; // never the secret, in logs or exceptions
	}
}
