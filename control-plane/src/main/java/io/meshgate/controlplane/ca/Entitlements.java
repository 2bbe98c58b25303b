package io.meshgate.controlplane.ca;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The services a node may serve, as its join token entitled it, carried in its node SVID (a non-critical extension,
 * a sequence of UTF8Strings). The registry reads them from the certificate the node presents: nothing to store, it
 * survives a control plane restart, and a renewal carries it over. The OID is a UUID OID (ITU-T X.667, arc 2.25),
 * which needs no registration.
 */
public final class Entitlements {

	static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier(
			"2.25." + new java.math.BigInteger("4f1c3b8e9a2d4e6f8b0c1d2e3f405162", 16));

	private Entitlements() {
	}

	static Extension extension(List<String> services) {
		ASN1Encodable[] names = services.stream().map(DERUTF8String::new).toArray(ASN1Encodable[]::new);
		try {
			return new Extension(OID, false, new DERSequence(names).getEncoded());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The services {@code certificate} entitles its node to; empty when it carries none (a workload's SVID). */
	public static List<String> of(X509Certificate certificate) {
		byte[] value = certificate.getExtensionValue(OID.getId());
		if (value == null) {
			return List.of();
		}
		try {
			ASN1Primitive sequence = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(value).getOctets());
			List<String> services = new ArrayList<>();
			for (ASN1Encodable name : ASN1Sequence.getInstance(sequence)) {
				services.add(ASN1UTF8String.getInstance(name).getString());
			}
			return List.copyOf(services);
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("the certificate's service entitlements are unreadable: " + ex.getMessage());
		}
	}
}
