package io.meshgate.client.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

import io.meshgate.model.identity.Pem;

/**
 * A node's identities: its key (made on the node, never sent anywhere), its X.509-SVIDs by SPIFFE ID (the node's and
 * one per local service) and the trust bundle. Kept in {@code <data-dir>/<node>/identity}: {@code key.pem} readable by
 * the owner only, {@code svids.pem}, {@code bundle.pem}.
 */
public record NodeIdentity(PrivateKey key, Map<String, X509Certificate> svids, List<X509Certificate> trustBundle) {

	public NodeIdentity {
		svids = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(svids));
		trustBundle = List.copyOf(trustBundle);
	}

	/** When the first of its certificates expires. */
	public Instant expiresAt() {
		return svids.values().stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElse(Instant.MIN);
	}

	public boolean isExpired(Instant now) {
		return !now.isBefore(expiresAt());
	}

	/** The identity stored in {@code dir}, if there is one. */
	public static Optional<NodeIdentity> load(Path dir) {
		Path key = dir.resolve("key.pem");
		if (!Files.exists(key)) {
			return Optional.empty();
		}
		try (PEMParser parser = Pem.parser(Files.readString(key))) {
			Object read = parser.readObject();
			if (!(read instanceof PrivateKeyInfo info)) {
				throw new IllegalStateException(key + ": no PKCS#8 private key in it");
			}
			PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
			Map<String, X509Certificate> svids = new LinkedHashMap<>();
			for (X509Certificate svid : Pem.certificates(Files.readString(dir.resolve("svids.pem")))) {
				svids.put(Pem.spiffeId(svid), svid);
			}
			return Optional.of(new NodeIdentity(privateKey, svids, Pem.certificates(Files.readString(dir.resolve("bundle.pem")))));
		}
		catch (IOException | java.security.GeneralSecurityException ex) {
			throw new IllegalStateException("cannot read the node's identity in " + dir + ": " + ex.getMessage(), ex);
		}
	}

	/** Writes it to {@code dir}; the key file is created readable by the owner only. */
	public void store(Path dir) {
		try {
			Files.createDirectories(dir);
			Pem.write(dir.resolve("key.pem"), Pem.of(new JcaPKCS8Generator(key, null).generate()), true);
			StringBuilder certificates = new StringBuilder();
			svids.values().forEach(svid -> certificates.append(Pem.of(svid)));
			Pem.write(dir.resolve("svids.pem"), certificates.toString(), false);
			StringBuilder bundle = new StringBuilder();
			trustBundle.forEach(root -> bundle.append(Pem.of(root)));
			Pem.write(dir.resolve("bundle.pem"), bundle.toString(), false);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot store the node's identity in " + dir + ": " + ex.getMessage(), ex);
		}
	}

}
