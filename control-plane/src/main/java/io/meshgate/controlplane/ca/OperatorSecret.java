package io.meshgate.controlplane.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import io.meshgate.model.identity.Pem;

/**
 * The control plane operator's credential, for what only the operator may do (make join tokens): a secret given in
 * {@code MESHGATE_OPERATOR_SECRET}, or one made at first start in the data directory, readable by its owner only,
 * where {@code bin/meshgate token create} reads it. Sent as {@code Authorization: Bearer <secret>}.
 */
public final class OperatorSecret {

	private final byte[] secret;

	private final Path file;

	private OperatorSecret(String secret, Path file) {
		this.secret = secret.getBytes(StandardCharsets.UTF_8);
		this.file = file;
	}

	public static OperatorSecret load(String given, Path file) {
		if (given != null && !given.isBlank()) {
			return new OperatorSecret(given.trim(), null);
		}
		try {
			if (Files.exists(file)) {
				return new OperatorSecret(Files.readString(file).trim(), file);
			}
			byte[] value = new byte[32];
			new SecureRandom().nextBytes(value);
			String made = Base64.getUrlEncoder().withoutPadding().encodeToString(value);
			Pem.write(file, made + "\n", true);
			return new OperatorSecret(made, file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read or make the operator secret " + file + ": " + ex.getMessage(), ex);
		}
	}

	/** Whether an {@code Authorization} header carries the secret (compared in constant time). */
	public boolean admits(String authorization) {
		if (authorization == null || !authorization.startsWith("Bearer ")) {
			return false;
		}
		byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
		return MessageDigest.isEqual(given, secret);
	}

	/** Where the secret is kept, or {@code null} when it came from the environment. */
	public Path file() {
		return file;
	}
}
