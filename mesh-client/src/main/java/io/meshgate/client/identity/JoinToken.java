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

	/**
	 * The token a proxy was given: in its setting {@code <prefix>.join-token}, or in the file named by
	 * {@code <prefix>.join-token-file} (a secret mounted into a container, as compose does); {@code null} for none.
	 *
	 * @throws IllegalArgumentException naming the setting, when the token is malformed or the file unreadable
	 */
	public static JoinToken fromSettings(String prefix, String token, String file) {
		String text = token;
		String setting = prefix + ".join-token";
		if ((text == null || text.isBlank()) && file != null && !file.isBlank()) {
			setting = prefix + ".join-token-file";
			try {
				text = java.nio.file.Files.readString(java.nio.file.Path.of(file));
			}
			catch (java.io.IOException ex) {
				throw new IllegalArgumentException("bad setting " + setting + ": cannot read " + file + " (" + ex + ")");
			}
		}
		if (text == null || text.isBlank()) {
			return null;
		}
		try {
			return parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("bad setting " + setting + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public String toString() {
		return "JoinToken[" + fingerprint + "]"; // never the secret, in logs or exceptions
	}
}
