package io.meshgate.proxy.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for TLS tests, made fresh in a directory (a JUnit {@code @TempDir}) so no key is ever committed and
 * none expires in the repository: a test CA, and server certificates to serve with
 * {@code SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile())}.
 * <ul>
 * <li>{@link #ca}: the CA's certificate, the trust file for {@code UpstreamTls.of}</li>
 * <li>{@link #localhost}: signed by the CA, for IP 127.0.0.1 and DNS localhost</li>
 * <li>{@link #wrongHost}: signed by the CA, for DNS wrong.example only</li>
 * <li>{@link #untrusted}: self-signed (its own, untrusted CA), for IP 127.0.0.1 and DNS localhost</li>
 * </ul>
 * EC P-256 keys: quick to generate, and every JDK TLS version takes them. Valid from an hour ago for a day.
 */
public final class TestCertificates {

	/** A server's certificate chain (leaf first) and its PKCS#8 private key, both PEM files. */
	public record Server(Path certificate, Path privateKey) {
	}

	public final Path ca;

	public final Server localhost;

	public final Server wrongHost;

	public final Server untrusted;

	private TestCertificates(Path ca, Server localhost, Server wrongHost, Server untrusted) {
		this.ca = ca;
		this.localhost = localhost;
		this.wrongHost = wrongHost;
		this.untrusted = untrusted;
	}

	/** Generates every certificate and key into {@code directory}. */
	public static TestCertificates generate(Path directory) {
		try {
			KeyPair caKey = keyPair();
			X500Name caName = new X500Name("CN=Meshgate Test CA");
			X509Certificate ca = certificate(caName, caKey, caName, caKey, null);
			Path caFile = write(directory.resolve("ca.pem"), pem("CERTIFICATE", ca.getEncoded()));

			KeyPair localhostKey = keyPair();
			X509Certificate localhost = certificate(new X500Name("CN=localhost"), localhostKey, caName, caKey,
					names(new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")));

			KeyPair wrongKey = keyPair();
			X509Certificate wrong = certificate(new X500Name("CN=wrong.example"), wrongKey, caName, caKey,
					names(new GeneralName(GeneralName.dNSName, "wrong.example")));

			KeyPair untrustedKey = keyPair();
			X500Name untrustedName = new X500Name("CN=localhost, O=Untrusted");
			X509Certificate untrusted = certificate(untrustedName, untrustedKey, untrustedName, untrustedKey,
					names(new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")));

			return new TestCertificates(caFile, server(directory, "localhost", localhost, ca, localhostKey),
					server(directory, "wrong-host", wrong, ca, wrongKey),
					server(directory, "untrusted", untrusted, null, untrustedKey));
		}
		catch (GeneralSecurityException | OperatorCreationException | IOException ex) {
			throw new IllegalStateException("cannot make test certificates", ex);
		}
	}

	private static Server server(Path directory, String name, X509Certificate leaf, X509Certificate issuer, KeyPair key)
			throws GeneralSecurityException {
		String chain = pem("CERTIFICATE", leaf.getEncoded()) + (issuer != null ? pem("CERTIFICATE", issuer.getEncoded()) : "");
		return new Server(write(directory.resolve(name + ".pem"), chain),
				write(directory.resolve(name + "-key.pem"), pem("PRIVATE KEY", key.getPrivate().getEncoded())));
	}

	/** A CA certificate when {@code serverNames} is null, else a server certificate for those names. */
	private static X509Certificate certificate(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey,
			GeneralNames serverNames) throws GeneralSecurityException, OperatorCreationException, IOException {
		Instant now = Instant.now();
		X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
				Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
				subjectKey.getPublic());
		if (serverNames == null) {
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
		}
		else {
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
				.addExtension(Extension.subjectAlternativeName, false, serverNames);
		}
		return new JcaX509CertificateConverter()
			.getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
	}

	private static GeneralNames names(GeneralName... names) {
		return new GeneralNames(names);
	}

	private static KeyPair keyPair() throws GeneralSecurityException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp256r1"));
		return generator.generateKeyPair();
	}

	/** PEM by hand: a JDK key's encoding is already PKCS#8, which is what Netty reads ("BEGIN PRIVATE KEY"). */
	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n"
				+ Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static Path write(Path file, String content) {
		try {
			return Files.writeString(file, content, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
