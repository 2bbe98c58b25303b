package io.meshgate.proxy.tls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.meshgate.client.identity.SvidKeyManager;

/** A throwaway CA for tests of mutual TLS: a root and SVIDs with one SPIFFE URI SAN, as the control plane issues. */
final class TestCa {

	private static final AtomicLong SERIAL = new AtomicLong(1);

	private final KeyPair key = keyPair();

	final X509Certificate root;

	TestCa(String name) {
		try {
			Instant now = Instant.now();
			root = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name("CN=" + name),
					BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minusSeconds(60)),
					Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + name), key.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign))
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** An SVID for {@code spiffeId}, valid from {@code from} to {@code to}. */
	SvidKeyManager.Svid svid(String spiffeId, Instant from, Instant to) {
		KeyPair subject = keyPair();
		try {
			X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
					root, BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(from), Date.from(to),
					new X500Name("O=test"), subject.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.subjectAlternativeName, true,
						new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)))
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
			return new SvidKeyManager.Svid(subject.getPrivate(), new X509Certificate[] { certificate });
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	SvidKeyManager.Svid svid(String spiffeId) {
		return svid(spiffeId, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofHours(1)));
	}

	private static KeyPair keyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			return generator.generateKeyPair();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}
}
