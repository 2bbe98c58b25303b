package io.meshgate.controlplane.ca;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM text, owner-only files and fingerprints: the few encodings the CA needs. */
final class Pem {

	private Pem() {
	}

	static String of(Object object) {
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(object);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return text.toString();
	}

	static org.bouncycastle.openssl.PEMParser parser(String text) {
		return new org.bouncycastle.openssl.PEMParser(new StringReader(text));
	}

	/** Written so that only the owner can ever read it: created with those permissions, never widened later. */
	static void writeOwnerOnly(Path file, String text) throws IOException {
		Files.createDirectories(file.getParent());
		Path temp = file.resolveSibling(file.getFileName() + ".tmp");
		Files.deleteIfExists(temp);
		Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(temp, text);
		Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
				java.nio.file.StandardCopyOption.REPLACE_EXISTING);
	}

	static String fingerprint(X509Certificate certificate) {
		return io.meshgate.model.protocol.Fingerprints.of(certificate);
	}
}
