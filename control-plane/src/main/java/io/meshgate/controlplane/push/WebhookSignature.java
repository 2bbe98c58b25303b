package io.meshgate.controlplane.push;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Git webhook's proof: an HMAC-SHA256 of the request body with the shared secret, as GitHub sends it
 * ({@code X-Hub-Signature-256: sha256=<hex>}) and Gitea/Forgejo ({@code X-Gitea-Signature: <hex>}). Compared in
 * constant time. Without a secret configured the webhook is off: anyone could otherwise make the control plane
 * hammer the Git host.
 */
final class WebhookSignature {

	static final String GITHUB = "X-Hub-Signature-256";

	static final String GITEA = "X-Gitea-Signature";

	private final byte[] secret;

	WebhookSignature(String secret) {
		this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
	}

	boolean enabled() {
		return secret != null;
	}

	/** @param signature the header's value, {@code sha256=<hex>} or {@code <hex>} */
	boolean verifies(byte[] body, String signature) {
		if (secret == null || signature == null) {
			return false;
		}
		String hex = signature.startsWith("sha256=") ? signature.substring("sha256=".length()) : signature;
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret, "HmacSHA256"));
			byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
			return MessageDigest.isEqual(expected, hex.trim().toLowerCase(java.util.Locale.ROOT)
				.getBytes(StandardCharsets.US_ASCII));
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
