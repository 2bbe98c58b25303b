package io.meshgate.controlplane.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import io.meshgate.model.identity.Fingerprints;
import io.meshgate.model.identity.Pem;

/**
 * The mesh's certificate authority: a root made at first start in the control plane's data directory (its key
 * readable by the owner only), or the operator's own (PEM files), and X.509-SVIDs issued from it: one certificate
 * per SPIFFE ID, exactly one URI SAN, not a CA, usable for TLS client and server authentication (the SPIFFE X.509-SVID
 * profile). EC P-256 throughout (small handshakes); a CSR's RSA key is accepted from 2048 bits.
 * <p>
 * A made root can be rotated ({@link #rotate}) in three phases, as SPIRE prepares and activates its keys: the new
 * root joins the trust bundle at once (proxies get it pushed and trust both); after {@code propagation} it signs
 * every new certificate (the old one's keep working: still in the bundle); after {@code overlap} more, when every
 * certificate the old root signed has expired, the old root leaves the bundle. Each phase is written to the data
 * directory before it counts, so a restart in the middle carries on where it was.
 */
public final class CertificateAuthority {

	private static final Log logger = LogFactory.getLog(CertificateAuthority.class);

	private static final String SIGNATURE = "SHA256withECDSA";

	/** For verifying CSR signatures by their algorithm OIDs, which the JDK's providers do not all know by OID. */
	private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

	private static final Duration ROOT_VALIDITY = Duration.ofDays(3650);

	/** Issued certificates start this much in the past: clocks of nodes are never exactly in step. */
	private static final Duration BACKDATE = Duration.ofMinutes(5);

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	/** Where a made root and its rotation live; {@code null} for the operator's own root, which is not rotated here. */
	private final Path dir;

	private volatile Roots roots;

	/** A root and its key. */
	record Root(X509Certificate certificate, PrivateKey key) {
	}

	/**
	 * The roots now: the one that signs, the next one while a rotation prepares (trusted, not signing yet), the
	 * previous one through the overlap (trusted, no longer signing).
	 */
	record Roots(Root signing, Root next, Instant activateAt, Duration overlap, X509Certificate previous,
			Instant retireAt) {

		List<X509Certificate> bundle() {
			List<X509Certificate> bundle = new java.util.ArrayList<>(3);
			bundle.add(signing.certificate());
			if (next != null) {
				bundle.add(next.certificate());
			}
			if (previous != null) {
				bundle.add(previous);
			}
			return List.copyOf(bundle);
		}
	}

	/** What a rotation phase changed, for those who act on it (the push of the bundle, the serving certificate). */
	public enum Change {
		NONE, PREPARED, ACTIVATED, RETIRED
	}

	private final List<java.util.function.Consumer<Change>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	CertificateAuthority(X509Certificate root, PrivateKey key, Clock clock) {
		this(new Roots(new Root(root, key), null, null, null, null, null), null, clock);
	}

	private CertificateAuthority(Roots roots, Path dir, Clock clock) {
		this.roots = roots;
		this.dir = dir;
		this.clock = clock;
	}

	/**
	 * The operator's root when both files are given, else the one in {@code dir}, made there at first start.
	 * @throws IllegalStateException naming the file that could not be read
	 */
	public static CertificateAuthority load(Path dir, Path operatorCertificate, Path operatorKey, Clock clock) {
		if (operatorCertificate != null || operatorKey != null) {
			if (operatorCertificate == null || operatorKey == null) {
				throw new IllegalStateException("meshgate.control-plane.ca: give both certificate and key, or neither");
			}
			return read(operatorCertificate, operatorKey, clock);
		}
		Path certificate = dir.resolve("ca.crt");
		Path key = dir.resolve("ca.key");
		if (Files.exists(certificate) && Files.exists(key)) {
			CertificateAuthority loaded = new CertificateAuthority(RootFiles.load(dir, read(certificate, key, clock).roots
				.signing(), clock), dir, clock);
			loaded.advance(); // a phase that came due while the control plane was down
			return loaded;
		}
		CertificateAuthority made = generate(clock);
		RootFiles.writeRoot(dir, "ca", made.roots.signing());
		logger.info("Made the mesh's root CA in " + dir + " (" + made.fingerprint() + ")");
		return new CertificateAuthority(made.roots, dir, clock);
	}

	public static CertificateAuthority generate(Clock clock) {
		try {
			KeyPair pair = ecKeyPair();
			X500Name name = new X500Name("CN=Meshgate mesh CA,O=Meshgate");
			Instant now = clock.instant();
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()),
					Date.from(now.minus(BACKDATE)), Date.from(now.plus(ROOT_VALIDITY)), name, pair.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
				.addExtension(Extension.subjectKeyIdentifier, false,
						extensions.createSubjectKeyIdentifier(pair.getPublic()))
				.build(signer(pair.getPrivate()));
			return new CertificateAuthority(new JcaX509CertificateConverter().getCertificate(holder),
					pair.getPrivate(), clock);
		}
		catch (Exception ex) {
			throw new IllegalStateException("cannot make a root CA: " + ex.getMessage(), ex);
		}
	}

	Roots roots() {
		return roots;
	}

	static CertificateAuthority read(Path certificateFile, Path keyFile, Clock clock) {
		X509Certificate certificate;
		try (PEMParser parser = Pem.parser(Files.readString(certificateFile))) {
			Object read = parser.readObject();
			if (!(read instanceof X509CertificateHolder holder)) {
				throw new IllegalStateException(certificateFile + ": no PEM certificate in it");
			}
			certificate = new JcaX509CertificateConverter().getCertificate(holder);
		}
		catch (IOException | java.security.cert.CertificateException ex) {
			throw new IllegalStateException(certificateFile + ": cannot read the CA certificate: " + ex.getMessage(), ex);
		}
		PrivateKey key;
		try (PEMParser parser = Pem.parser(Files.readString(keyFile))) {
			Object read = parser.readObject();
			PrivateKeyInfo info;
			if (read instanceof PEMKeyPair pair) {
				info = pair.getPrivateKeyInfo(); // "EC PRIVATE KEY" / "RSA PRIVATE KEY", as openssl writes them
			}
			else if (read instanceof PrivateKeyInfo pkcs8) {
				info = pkcs8;
			}
			else {
				throw new IllegalStateException(keyFile + ": no unencrypted PEM private key in it");
			}
			// through Bouncy Castle, which encodes the curve as the JDK's providers need it, then the JDK's own key
			byte[] encoded = new JcaPEMKeyConverter().setProvider(BOUNCY_CASTLE).getPrivateKey(info).getEncoded();
			String algorithm = info.getPrivateKeyAlgorithm().getAlgorithm().getId().equals("1.2.840.113549.1.1.1")
					? "RSA" : "EC";
			key = java.security.KeyFactory.getInstance(algorithm)
				.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(encoded));
		}
		catch (IOException | java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(keyFile + ": cannot read the CA key: " + ex.getMessage(), ex);
		}
		if (certificate.getBasicConstraints() < 0) {
			throw new IllegalStateException(certificateFile + ": not a CA certificate (no basicConstraints CA:true)");
		}
		return new CertificateAuthority(certificate, key, clock);
	}

	/** The root that signs now. */
	public X509Certificate root() {
		return roots.signing().certificate();
	}

	/** What join tokens pin: {@code sha256:} and the hex digest of the signing root's public key. */
	public String fingerprint() {
		return Fingerprints.of(root());
	}

	/** Whether {@code fingerprint} is one of the roots trusted now (a join token made before a rotation). */
	public boolean trusts(String fingerprint) {
		return roots.bundle().stream().anyMatch(root -> Fingerprints.of(root).equals(fingerprint));
	}

	/** The roots a peer must trust, PEM: one, or two through a rotation. */
	public String trustBundle() {
		StringBuilder pem = new StringBuilder();
		roots.bundle().forEach(root -> pem.append(Pem.of(root)));
		return pem.toString();
	}

	/** The roots trusted now, the signing one first. */
	public List<X509Certificate> trustedRoots() {
		return roots.bundle();
	}

	/** Told of each rotation phase, on the thread that advanced it. */
	public void addListener(java.util.function.Consumer<Change> listener) {
		listeners.add(listener);
	}

	/** For the status page: fingerprints, and the rotation's next phase if one is under way. */
	public java.util.Map<String, Object> status() {
		Roots now = roots;
		java.util.Map<String, Object> status = new java.util.LinkedHashMap<>();
		status.put("signing", Fingerprints.of(now.signing().certificate()));
		if (now.next() != null) {
			status.put("next", Fingerprints.of(now.next().certificate()));
			status.put("activatesAt", now.activateAt().toString());
		}
		if (now.previous() != null) {
			status.put("previous", Fingerprints.of(now.previous()));
			status.put("retiresAt", now.retireAt().toString());
		}
		return status;
	}

	/**
	 * Starts a rotation: a new root, trusted from now, signing from {@code propagation} on, the old one trusted
	 * {@code overlap} longer. Only one at a time, and only of a root this control plane made.
	 * @throws IllegalStateException saying why not
	 */
	public synchronized Roots rotate(Duration propagation, Duration overlap) {
		if (dir == null) {
			throw new IllegalStateException("the CA root is the operator's own (meshgate.control-plane.ca.certificate):"
					+ " rotate it by giving the new root and restarting");
		}
		Roots now = roots;
		if (now.next() != null) {
			throw new IllegalStateException("a rotation is under way: the new root " + Fingerprints.of(now.next()
				.certificate()) + " signs from " + now.activateAt());
		}
		if (now.previous() != null) {
			throw new IllegalStateException("a rotation is under way: the old root " + Fingerprints.of(now.previous())
					+ " is trusted until " + now.retireAt());
		}
		Root next = generate(clock).roots.signing();
		Instant activateAt = clock.instant().plus(propagation);
		RootFiles.writeRoot(dir, "ca-next", next);
		RootFiles.writePrepared(dir, Fingerprints.of(next.certificate()), activateAt, overlap);
		roots = new Roots(now.signing(), next, activateAt, overlap, null, null);
		logger.info("CA rotation: new root " + Fingerprints.of(next.certificate()) + " trusted now, signing from "
				+ activateAt + "; the old root " + fingerprint() + " stays trusted until " + activateAt.plus(overlap));
		tell(Change.PREPARED);
		return roots;
	}

	/** Moves a rotation on when its next phase is due (called every second); returns what changed. */
	public synchronized Change advance() {
		Roots now = roots;
		Instant time = clock.instant();
		if (now.next() != null && !time.isBefore(now.activateAt())) {
			Instant retireAt = now.activateAt().plus(now.overlap());
			// in an order a restart at any point reads right (RootFiles.load): the old root kept aside, the new one
			// made the signing one, then the phase recorded
			RootFiles.writeRoot(dir, "ca-previous", new Root(now.signing().certificate(), null));
			RootFiles.writeRoot(dir, "ca", now.next());
			RootFiles.writeOverlap(dir, Fingerprints.of(now.signing().certificate()), retireAt);
			RootFiles.delete(dir, "ca-next");
			roots = new Roots(now.next(), null, null, null, now.signing().certificate(), retireAt);
			logger.info("CA rotation: root " + fingerprint() + " signs from now; the old one is trusted until " + retireAt);
			tell(Change.ACTIVATED);
			return Change.ACTIVATED;
		}
		if (now.previous() != null && !time.isBefore(now.retireAt())) {
			RootFiles.deleteRotation(dir);
			RootFiles.delete(dir, "ca-previous");
			roots = new Roots(now.signing(), null, null, null, null, null);
			logger.info("CA rotation done: the old root " + Fingerprints.of(now.previous()) + " left the trust bundle");
			tell(Change.RETIRED);
			return Change.RETIRED;
		}
		return Change.NONE;
	}

	private void tell(Change change) {
		for (var listener : listeners) {
			try {
				listener.accept(change);
			}
			catch (RuntimeException ex) {
				logger.error("A CA rotation listener failed: " + ex.getMessage(), ex);
			}
		}
	}

	/**
	 * Reads a PEM CSR and checks it is signed by the key it carries, and that the key is one the mesh accepts.
	 * @throws IllegalArgumentException saying what is wrong with it
	 */
	public static PublicKey verifiedKey(String pem) {
		Object read;
		try (PEMParser parser = Pem.parser(pem == null ? "" : pem)) {
			read = parser.readObject();
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalArgumentException("the CSR is not PEM-encoded PKCS#10: " + ex.getMessage());
		}
		if (!(read instanceof PKCS10CertificationRequest csr)) {
			throw new IllegalArgumentException("the CSR is not PEM-encoded PKCS#10 (no CERTIFICATE REQUEST block)");
		}
		try {
			if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BOUNCY_CASTLE)
				.build(csr.getSubjectPublicKeyInfo()))) {
				throw new IllegalArgumentException("the CSR's signature does not verify with its own key");
			}
			PublicKey key = publicKey(csr.getSubjectPublicKeyInfo());
			if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() >= 256) {
				return key;
			}
			if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= 2048) {
				return key;
			}
			throw new IllegalArgumentException("the CSR's key must be EC P-256 or stronger, or RSA of 2048 bits or more");
		}
		catch (OperatorCreationException | PKCSException | IOException | java.security.GeneralSecurityException ex) {
			throw new IllegalArgumentException("the CSR cannot be verified: " + ex.getMessage());
		}
	}

	/** The JDK's own key object (EC or RSA), so certificates and TLS use the JDK's providers. */
	private static PublicKey publicKey(org.bouncycastle.asn1.x509.SubjectPublicKeyInfo info)
			throws IOException, java.security.GeneralSecurityException {
		String oid = info.getAlgorithm().getAlgorithm().getId();
		String algorithm = switch (oid) {
			case "1.2.840.10045.2.1" -> "EC";
			case "1.2.840.113549.1.1.1" -> "RSA";
			default -> throw new IllegalArgumentException("the CSR's key must be EC or RSA, not " + oid);
		};
		return java.security.KeyFactory.getInstance(algorithm)
			.generatePublic(new java.security.spec.X509EncodedKeySpec(info.getEncoded()));
	}

	/**
	 * Whether {@code certificate} is one of this CA's and valid now (signature by the root, validity period).
	 * @throws IllegalArgumentException saying why not
	 */
	public void verifyIssued(X509Certificate certificate) {
		boolean issued = false;
		for (X509Certificate root : roots.bundle()) {
			try {
				certificate.verify(root.getPublicKey());
				issued = true;
				break;
			}
			catch (java.security.GeneralSecurityException ex) {
				// another root of the bundle, through a rotation
			}
		}
		if (!issued) {
			throw new IllegalArgumentException("the certificate for " + spiffeIdOf(certificate)
					+ " was not issued by this control plane's CA");
		}
		try {
			certificate.checkValidity(Date.from(clock.instant()));
		}
		catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException ex) {
			throw new IllegalArgumentException("the certificate for " + spiffeIdOf(certificate) + " is not valid now ("
					+ certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant() + ")");
		}
	}

	private static String spiffeIdOf(X509Certificate certificate) {
		try {
			return Pem.spiffeId(certificate);
		}
		catch (IllegalArgumentException ex) {
			return "(no SPIFFE ID)";
		}
	}

	/** An X.509-SVID for {@code key}: one URI SAN, {@code spiffeId}, valid for {@code ttl}. */
	public X509Certificate issue(PublicKey key, URI spiffeId, Duration ttl) {
		return issue(key, spiffeId, ttl, List.of(), null);
	}

	/** A node's SVID, carrying the services the node is entitled to serve (see {@link Entitlements}). */
	public X509Certificate issueNode(PublicKey key, URI spiffeId, Duration ttl, List<String> services) {
		return issue(key, spiffeId, ttl, List.of(), Entitlements.extension(services));
	}

	/**
	 * The control plane's own serving certificate: its SPIFFE ID, plus the DNS names and IP addresses it is reached
	 * at, so that operators' tools ({@code curl --cacert}) verify it by host name as well.
	 */
	public X509Certificate issueServer(PublicKey key, URI spiffeId, Duration ttl, List<String> hostNames) {
		List<GeneralName> names = new java.util.ArrayList<>();
		for (String name : hostNames) {
			names.add(new GeneralName(isIpAddress(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
		}
		return issue(key, spiffeId, ttl, names, null);
	}

	private static boolean isIpAddress(String name) {
		return name.matches("[0-9.]+") || name.contains(":");
	}

	private X509Certificate issue(PublicKey key, URI spiffeId, Duration ttl, List<GeneralName> hostNames,
			org.bouncycastle.asn1.x509.Extension entitlements) {
		Root signing = roots.signing();
		X509Certificate root = signing.certificate();
		try {
			Instant now = clock.instant();
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(root, serial(random),
					Date.from(now.minus(BACKDATE)), Date.from(now.plus(ttl)), new X500Name("O=Meshgate"), key)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(key instanceof RSAPublicKey
						? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false,
						new ExtendedKeyUsage(new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth,
								KeyPurposeId.id_kp_clientAuth }))
				.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(root))
				.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key));
			List<GeneralName> names = new java.util.ArrayList<>();
			names.add(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId.toString()));
			names.addAll(hostNames);
			builder.addExtension(Extension.subjectAlternativeName, true,
					new GeneralNames(names.toArray(GeneralName[]::new)));
			if (entitlements != null) {
				builder.addExtension(entitlements);
			}
			X509CertificateHolder holder = builder.build(signer(signing.key()));
			return new JcaX509CertificateConverter().getCertificate(holder);
		}
		catch (Exception ex) {
			throw new IllegalStateException("cannot issue a certificate for " + spiffeId + ": " + ex.getMessage(), ex);
		}
	}

	static KeyPair ecKeyPair() throws java.security.GeneralSecurityException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp256r1"));
		return generator.generateKeyPair();
	}

	private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
		return new JcaContentSignerBuilder(SIGNATURE).build(key);
	}

	/** Positive, 159 bits: unique and unpredictable (RFC 5280 allows 20 octets). */
	private static BigInteger serial(SecureRandom random) {
		return new BigInteger(159, random);
	}
}
