package io.meshgate.model.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The fingerprint a join token pins: {@code sha256:} and the hex SHA-256 of the CA root's public key (its DER
 * SubjectPublicKeyInfo), as kubeadm's discovery hash. The control plane writes it into tokens; a node checks the root
 * it is shown against it before it trusts anything the control plane says.
 */
public final class Fingerprints {

	private Fingerprints() {
	}

	public static String of(X509Certificate certificate) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
			return "sha256:" + HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
