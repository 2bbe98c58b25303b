package io.meshgate.model.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * The formats identities travel and rest in, for the control plane's CA and the nodes alike: PEM text, certificates
 * read from it, SPIFFE IDs read from certificates, and files written readable by their owner only.
 */
public final class Pem {

	private Pem() {
	}

	/** A certificate, key, CSR or PEM object as PEM text. */
	public static String of(Object object) {
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(object);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return text.toString();
	}

	public static PEMParser parser(String text) {
		return new PEMParser(new StringReader(text));
	}

	/** Every certificate in a PEM text. */
	@SuppressWarnings("unchecked")
	public static List<X509Certificate> certificates(String pem) {
		try {
			return new ArrayList<>((Collection<X509Certificate>) CertificateFactory.getInstance("X.509")
				.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
		}
		catch (CertificateException ex) {
			throw new IllegalArgumentException("not PEM certificates: " + ex.getMessage(), ex);
		}
	}

	/** The certificate's SPIFFE ID: its {@code spiffe://} URI SAN. */
	public static String spiffeId(X509Certificate certificate) {
		try {
			Collection<List<?>> names = certificate.getSubjectAlternativeNames();
			if (names != null) {
				for (List<?> name : names) {
					if (Integer.valueOf(6).equals(name.get(0)) && String.valueOf(name.get(1)).startsWith("spiffe://")) {
						return URI.create(String.valueOf(name.get(1))).toString();
					}
				}
			}
		}
		catch (CertificateException ex) {
			throw new IllegalArgumentException(ex);
		}
		throw new IllegalArgumentException("the certificate has no SPIFFE ID");
	}

	/** Written whole or not at all; with {@code ownerOnly}, created readable by its owner only, never widened later. */
	public static void write(Path file, String text, boolean ownerOnly) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		Path temp = file.resolveSibling(file.getFileName() + ".tmp");
		Files.deleteIfExists(temp);
		if (ownerOnly) {
			Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
		Files.writeString(temp, text);
		Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}
}
