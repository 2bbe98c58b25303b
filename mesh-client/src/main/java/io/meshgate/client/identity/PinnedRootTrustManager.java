package io.meshgate.client.identity;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.meshgate.model.identity.Fingerprints;

/**
 * First contact, before a node holds a trust bundle: the control plane is trusted if the chain it presents includes a
 * root whose fingerprint is the one the join token pins, and its certificate chains to that root with the control
 * plane's SPIFFE ID (kubeadm's discovery-token-ca-cert-hash, in TLS). Nothing is sent before that holds.
 */
final class PinnedRootTrustManager extends X509ExtendedTrustManager {

	/** The server's CA is not the pinned one: a wrong control plane or someone in between. */
	static final class PinMismatch extends CertificateException {

		PinMismatch(String message) {
			super(message);
		}
	}

	private final String fingerprint;

	private volatile X509Certificate root;

	PinnedRootTrustManager(String fingerprint) {
		this.fingerprint = fingerprint;
	}

	/** The pinned root, once a handshake has shown it. */
	X509Certificate root() {
		return root;
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		X509Certificate pinned = null;
		for (X509Certificate certificate : chain) {
			if (fingerprint.equals(Fingerprints.of(certificate))) {
				pinned = certificate;
			}
		}
		if (pinned == null) {
			throw new PinMismatch("its CA is not the one the join token pins (" + fingerprint + ")");
		}
		X509Certificate anchor = pinned;
		new BundleTrustManager(() -> List.of(anchor), BundleTrustManager.pathIs(ControlPlaneTls.CONTROL_PLANE_PATH),
				"the control plane").verify(new X509Certificate[] { chain[0] });
		root = pinned;
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
		checkServerTrusted(chain, authType);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		checkServerTrusted(chain, authType);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		throw new CertificateException("a client-side trust manager");
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
		checkClientTrusted(chain, authType);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		checkClientTrusted(chain, authType);
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		return new X509Certificate[0];
	}
}
