package io.meshgate.controlplane;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.meshgate.controlplane.ca.CertificateAuthority;

/**
 * HTTPS clients of a control plane under test, as the callers it must tell apart: a node of the mesh (a node SVID
 * from the control plane's own CA), anyone (no certificate), or holders of certificates it must refuse (another CA's,
 * an expired one, a workload's rather than a node's). Each trusts the control plane's root and checks its host name
 * ({@code 127.0.0.1} is in its certificate), as {@code curl --cacert} would.
 */
public final class MeshCallers {

	private static final Duration CONNECT = Duration.ofSeconds(5);

	private final CertificateAuthority ca;

	private final String trustDomain;

	public MeshCallers(CertificateAuthority ca, String trustDomain) {
		this.ca = ca;
		this.trustDomain = trustDomain;
	}

	/** Node {@code name}, entitled by its join token to {@code services}. */
	public HttpClient node(String name, String... services) {
		KeyPair key = keyPair();
		return client(key.getPrivate(), ca.issueNode(key.getPublic(), URI.create("spiffe://" + trustDomain + "/node/"
				+ name), Duration.ofHours(1), List.of(services)));
	}

	/** A node's client and the certificate it presents, for checks of what the control plane does with its key. */
	public record Held(HttpClient client, KeyPair key, X509Certificate certificate) {
	}

	public Held heldNode(String name, String... services) {
		KeyPair key = keyPair();
		X509Certificate certificate = ca.issueNode(key.getPublic(),
				URI.create("spiffe://" + trustDomain + "/node/" + name), Duration.ofHours(1), List.of(services));
		return new Held(client(key.getPrivate(), certificate), key, certificate);
	}

	/** A workload's SVID ({@code svc/<service>}): of the mesh, but not a node. */
	public HttpClient workload(String service) {
		KeyPair key = keyPair();
		return client(key.getPrivate(),
				ca.issue(key.getPublic(), URI.create("spiffe://" + trustDomain + "/svc/" + service), Duration.ofHours(1)));
	}

	/** A node certificate from another CA. */
	public HttpClient foreign(String name) {
		KeyPair key = keyPair();
		CertificateAuthority other = CertificateAuthority.generate(java.time.Clock.systemUTC());
		return client(key.getPrivate(), other.issueNode(key.getPublic(),
				URI.create("spiffe://" + trustDomain + "/node/" + name), Duration.ofHours(1), List.of()));
	}

	/** A node certificate of this CA that expired an hour ago, issued by a CA with the same root and a past clock. */
	public HttpClient expired(java.nio.file.Path caDir, String name) {
		KeyPair key = keyPair();
		CertificateAuthority past = CertificateAuthority.load(caDir, null, null,
				java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-3)));
		return client(key.getPrivate(), past.issueNode(key.getPublic(),
				URI.create("spiffe://" + trustDomain + "/node/" + name), Duration.ofHours(1), List.of()));
	}

	/** No client certificate. */
	public HttpClient anonymous() {
		return client(null, null);
	}

	/** Presenting {@code certificate}, whose key is {@code key}. */
	public HttpClient presenting(PrivateKey key, X509Certificate certificate) {
		return client(key, certificate);
	}

	private HttpClient client(PrivateKey key, X509Certificate certificate) {
		try {
			KeyStore keys = KeyStore.getInstance("PKCS12");
			keys.load(null, null);
			if (key != null) {
				keys.setKeyEntry("svid", key, new char[0], new Certificate[] { certificate });
			}
			KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keyManagers.init(keys, new char[0]);
			KeyStore trust = KeyStore.getInstance("PKCS12");
			trust.load(null, null);
			trust.setCertificateEntry("root", ca.root());
			TrustManagerFactory trustManagers = TrustManagerFactory
				.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trustManagers.init(trust);
			SSLContext context = SSLContext.getInstance("TLSv1.3");
			context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
			return HttpClient.newBuilder().connectTimeout(CONNECT).sslContext(context)
				.version(HttpClient.Version.HTTP_1_1).build();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
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
