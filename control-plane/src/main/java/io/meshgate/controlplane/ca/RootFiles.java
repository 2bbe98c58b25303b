package io.meshgate.controlplane.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import io.meshgate.controlplane.ca.CertificateAuthority.Root;
import io.meshgate.controlplane.ca.CertificateAuthority.Roots;
import io.meshgate.model.identity.Pem;

/**
 * A made CA's files in its data directory: {@code ca.crt}/{@code ca.key} (the signing root), and through a rotation
 * {@code ca-next.*} (trusted, not signing yet) or {@code ca-previous.crt} (trusted, no longer signing; its key is
 * not kept), with the phases' times in {@code rotation.properties}. Each file is written beside and moved into place,
 * so a crash leaves the old file or the new one, never half of one. Keys are readable by the owner only.
 */
final class RootFiles {

	private static final String ROTATION = "rotation.properties";

	private RootFiles() {
	}

	static void writeRoot(Path dir, String name, Root root) {
		try {
			Files.createDirectories(dir);
			if (root.key() != null) {
				Path key = dir.resolve(name + ".key.tmp");
				Pem.write(key, Pem.of(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(root.key(), null).generate()),
						true);
				Files.move(key, dir.resolve(name + ".key"), StandardCopyOption.REPLACE_EXISTING,
						StandardCopyOption.ATOMIC_MOVE);
			}
			Path certificate = dir.resolve(name + ".crt.tmp");
			Files.writeString(certificate, Pem.of(root.certificate()));
			Files.move(certificate, dir.resolve(name + ".crt"), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the CA root " + name + " to " + dir + ": " + ex.getMessage(), ex);
		}
	}

	static void delete(Path dir, String name) {
		try {
			Files.deleteIfExists(dir.resolve(name + ".key"));
			Files.deleteIfExists(dir.resolve(name + ".crt"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete the CA root " + name + " in " + dir + ": " + ex.getMessage(), ex);
		}
	}

	/** Phase one: {@code next} is trusted and signs from {@code activateAt}; the old root stays {@code overlap} more. */
	static void writePrepared(Path dir, String next, Instant activateAt, Duration overlap) {
		Properties times = new Properties();
		times.setProperty("phase", "prepared");
		times.setProperty("next", next);
		times.setProperty("activate-at", activateAt.toString());
		times.setProperty("overlap", overlap.toString());
		writeRotation(dir, times);
	}

	/** Phase two: the signing root is the new one; {@code previous} stays trusted until {@code retireAt}. */
	static void writeOverlap(Path dir, String previous, Instant retireAt) {
		Properties times = new Properties();
		times.setProperty("phase", "overlap");
		times.setProperty("previous", previous);
		times.setProperty("retire-at", retireAt.toString());
		writeRotation(dir, times);
	}

	private static void writeRotation(Path dir, Properties times) {
		try {
			Path temporary = dir.resolve(ROTATION + ".tmp");
			try (var out = Files.newBufferedWriter(temporary)) {
				times.store(out, "the CA rotation under way (see CertificateAuthority)");
			}
			Files.move(temporary, dir.resolve(ROTATION), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + dir.resolve(ROTATION) + ": " + ex.getMessage(), ex);
		}
	}

	static void deleteRotation(Path dir) {
		try {
			Files.deleteIfExists(dir.resolve(ROTATION));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete " + dir.resolve(ROTATION) + ": " + ex.getMessage(), ex);
		}
	}

	/** The roots as a restart finds them: the signing one, and a rotation's other root with its times. */
	private static java.security.cert.X509Certificate previous(Path dir) throws IOException {
		return Pem.certificates(Files.readString(dir.resolve("ca-previous.crt"))).get(0);
	}

	static Roots load(Path dir, Root signing, Clock clock) {
		Path rotation = dir.resolve(ROTATION);
		if (!Files.exists(rotation)) {
			return new Roots(signing, null, null, null, null, null);
		}
		Properties times = new Properties();
		try (var in = Files.newBufferedReader(rotation)) {
			times.load(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + rotation + ": " + ex.getMessage(), ex);
		}
		try {
			String signingFingerprint = io.meshgate.model.identity.Fingerprints.of(signing.certificate());
			if ("prepared".equals(times.getProperty("phase"))) {
				Instant activateAt = Instant.parse(times.getProperty("activate-at"));
				Duration overlap = Duration.parse(times.getProperty("overlap"));
				if (signingFingerprint.equals(times.getProperty("next"))) {
					// stopped while activating: ca.crt is the new root already, ca-previous.crt the old one
					return new Roots(signing, null, null, null, previous(dir), activateAt.plus(overlap));
				}
				Root next = CertificateAuthority.read(dir.resolve("ca-next.crt"), dir.resolve("ca-next.key"), clock)
					.roots()
					.signing();
				return new Roots(signing, next, activateAt, overlap, null, null);
			}
			if ("overlap".equals(times.getProperty("phase"))) {
				return new Roots(signing, null, null, null, previous(dir), Instant.parse(times.getProperty("retire-at")));
			}
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalStateException(rotation + " or the root files beside it cannot be read: " + ex.getMessage(),
					ex);
		}
		return new Roots(signing, null, null, null, null, null);
	}
}
