package io.meshgate.controlplane.tls;

import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.stereotype.Component;

import io.meshgate.controlplane.ca.CertificateAuthority;
import io.meshgate.model.MeshConfig;

/**
 * The control plane's own TLS certificate, issued by its CA at start to a key that lives in memory only:
 * {@code spiffe://<trust-domain>/control-plane}, which is how the proxies recognise it, plus the host names and
 * addresses it is reached at ({@code MESHGATE_CONTROL_PLANE_TLS_NAMES}) for operators' tools. Registered as the SSL
 * bundle {@value #BUNDLE} that the server uses (TLS 1.3; client certificates asked for, checked against the mesh's
 * roots), and reissued at half its life: Spring Boot reloads the server's TLS from an updated bundle, without a
 * restart.
 */
@Component
class ServingCertificate implements SslBundleRegistrar, DisposableBean {

	static final String BUNDLE = "control-plane";

	private static final Log logger = LogFactory.getLog(ServingCertificate.class);

	private final CertificateAuthority ca;

	private final List<String> hostNames;

	private final Duration ttl;

	private final ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "meshgate-serving-certificate");
		thread.setDaemon(true);
		return thread;
	});

	ServingCertificate(CertificateAuthority ca,
			@Value("${meshgate.control-plane.tls.names:localhost,127.0.0.1,::1}") List<String> hostNames,
			@Value("${meshgate.control-plane.tls.ttl:24h}") Duration ttl) {
		this.ca = ca;
		this.hostNames = hostNames.stream().map(String::trim).filter(name -> !name.isEmpty()).toList();
		this.ttl = ttl;
	}

	@Override
	public void registerBundles(SslBundleRegistry registry) {
		registry.registerBundle(BUNDLE, issue());
		long halfLife = Math.max(1_000, ttl.toMillis() / 2);
		renewal.scheduleAtFixedRate(() -> renew(registry), halfLife, halfLife, TimeUnit.MILLISECONDS);
		// each phase of a CA rotation changes the roots: trusted client roots, and from activation the issuer
		ca.addListener(change -> renewal.execute(() -> renew(registry)));
	}

	private void renew(SslBundleRegistry registry) {
		try {
			registry.updateBundle(BUNDLE, issue());
		}
		catch (RuntimeException ex) {
			// the certificate in use stays valid for another half of its life; the next run tries again
			logger.error("Could not renew the control plane's TLS certificate: " + ex.getMessage(), ex);
		}
	}

	private SslBundle issue() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			KeyPair key = generator.generateKeyPair();
			// the trust domain of identities issued later comes from the model; the proxies check this path only
			URI id = URI.create("spiffe://" + MeshConfig.empty().trustDomain() + "/control-plane");
			X509Certificate certificate = ca.issueServer(key.getPublic(), id, ttl, hostNames);
			List<X509Certificate> roots = ca.trustedRoots();
			String password = HexFormat.of().formatHex(randomBytes()); // in memory only, like the key
			KeyStore keys = KeyStore.getInstance("PKCS12");
			keys.load(null, null);
			// the root goes with the chain: a node on first contact finds there the root its join token pins
			keys.setKeyEntry(BUNDLE, key.getPrivate(), password.toCharArray(),
					new Certificate[] { certificate, issuerOf(certificate, roots) });
			// through a rotation nodes hold certificates of either root
			KeyStore trust = KeyStore.getInstance("PKCS12");
			trust.load(null, null);
			for (int i = 0; i < roots.size(); i++) {
				trust.setCertificateEntry("mesh-root-" + i, roots.get(i));
			}
			logger.info("Serving TLS as " + id + " " + hostNames + ", valid until " + certificate.getNotAfter().toInstant());
			return SslBundle.of(SslStoreBundle.of(keys, password, trust), SslBundleKey.of(password, BUNDLE),
					SslOptions.of(null, new String[] { "TLSv1.3" }));
		}
		catch (java.security.GeneralSecurityException | java.io.IOException ex) {
			throw new IllegalStateException("cannot make the control plane's TLS certificate: " + ex.getMessage(), ex);
		}
	}

	/** The root that signed {@code certificate}: read apart from the issuing, which a rotation may change between. */
	private static X509Certificate issuerOf(X509Certificate certificate, List<X509Certificate> roots) {
		for (X509Certificate root : roots) {
			try {
				certificate.verify(root.getPublicKey());
				return root;
			}
			catch (java.security.GeneralSecurityException ex) {
				// another root of the bundle
			}
		}
		throw new IllegalStateException("the serving certificate chains to none of the trusted roots");
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[18];
		new SecureRandom().nextBytes(bytes);
		return bytes;
	}

	@Override
	public void destroy() {
		renewal.shutdownNow();
	}
}
