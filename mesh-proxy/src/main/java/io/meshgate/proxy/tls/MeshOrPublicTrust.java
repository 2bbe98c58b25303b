package io.meshgate.proxy.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.meshgate.client.identity.BundleTrustManager;

/**
 * For a client that calls both nodes of the mesh and public HTTPS servers through one TLS context (Spring Cloud
 * Gateway's, for the gateway's plain routes): a server certificate issued by a root of the mesh's bundle is judged as
 * a mesh peer (a node, by SPIFFE ID, no host name); any other by the JDK's trust store and the host name, as before.
 */
final class MeshOrPublicTrust extends X509ExtendedTrustManager {

	private final Supplier<List<X509Certificate>> bundle;

	private final BundleTrustManager mesh;

	private final X509ExtendedTrustManager publicTrust;

	MeshOrPublicTrust(Supplier<List<X509Certificate>> bundle, BundleTrustManager mesh) {
		this.bundle = bundle;
		this.mesh = mesh;
		this.publicTrust = jdkTrust();
	}

	private static X509ExtendedTrustManager jdkTrust() {
		try {
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init((KeyStore) null);
			for (TrustManager manager : factory.getTrustManagers()) {
				if (manager instanceof X509ExtendedTrustManager extended) {
					return extended;
				}
			}
			throw new IllegalStateException("the JDK has no X509ExtendedTrustManager");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Whether the chain was issued under one of the mesh's roots (then only the mesh's rules apply). */
	private boolean fromMesh(X509Certificate[] chain) {
		if (chain == null || chain.length == 0) {
			return false;
		}
		X509Certificate top = chain[chain.length - 1];
		for (X509Certificate root : bundle.get()) {
			if (root.getSubjectX500Principal().equals(top.getIssuerX500Principal())
					|| root.getSubjectX500Principal().equals(top.getSubjectX500Principal())) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		judge(chain, () -> publicTrust.checkServerTrusted(chain, authType, engine));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
			throws CertificateException {
		judge(chain, () -> publicTrust.checkServerTrusted(chain, authType, socket));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		judge(chain, () -> publicTrust.checkServerTrusted(chain, authType));
	}

	/** The JDK's own check, whichever overload the handshake called. */
	private interface PublicCheck {

		void check() throws CertificateException;
	}

	private void judge(X509Certificate[] chain, PublicCheck publicCheck) throws CertificateException {
		if (fromMesh(chain)) {
			mesh.verify(chain);
		}
		else {
			publicCheck.check();
		}
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		throw new CertificateException("a client's trust manager");
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
			throws CertificateException {
		throw new CertificateException("a client's trust manager");
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		throw new CertificateException("a client's trust manager");
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		return publicTrust.getAcceptedIssuers();
	}
}
