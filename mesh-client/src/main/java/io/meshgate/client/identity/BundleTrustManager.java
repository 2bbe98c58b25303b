package io.meshgate.client.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.meshgate.model.identity.Pem;

/**
 * Trusts a peer the SPIFFE way: its certificate chains to a root of the mesh's trust bundle (read anew at each
 * handshake, so a pushed or rotated bundle applies to the next connection) and its SPIFFE ID is one this side
 * expects. Host names are not checked: a mesh peer is named by its SPIFFE ID, not by the address it was reached
 * at. Each refusal says what was wrong, for the logs and the handshake metrics.
 */
public final class BundleTrustManager extends X509ExtendedTrustManager {

	private final Supplier<List<X509Certificate>> roots;

	private final Predicate<String> expected;

	private final String expectation;

	/**
	 * @param roots       the trust bundle now (empty while not enrolled: nothing is trusted)
	 * @param expected    which SPIFFE IDs this side accepts
	 * @param expectation what {@code expected} accepts, in words, for refusals
	 */
	public BundleTrustManager(Supplier<List<X509Certificate>> roots, Predicate<String> expected, String expectation) {
		this.roots = roots;
		this.expected = expected;
		this.expectation = expectation;
	}

	/** The peer's SPIFFE ID, once its chain is verified and the ID is one expected. */
	public String verify(X509Certificate[] chain) throws CertificateException {
		if (chain == null || chain.length == 0) {
			throw new CertificateException("the peer presented no certificate");
		}
		List<X509Certificate> anchors = roots.get();
		if (anchors.isEmpty()) {
			throw new CertificateException("no trust bundle yet (not enrolled)");
		}
		try {
			chain[0].checkValidity();
		}
		catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException ex) {
			throw new CertificateException("the peer's certificate is expired or not yet valid (valid "
					+ chain[0].getNotBefore().toInstant() + " to " + chain[0].getNotAfter().toInstant() + ")", ex);
		}
		try {
			PKIXParameters pkix = new PKIXParameters(
					anchors.stream().map(root -> new TrustAnchor(root, null)).collect(Collectors.toSet()));
			pkix.setRevocationEnabled(false); // short-lived SVIDs instead of revocation, as SPIFFE does
			CertPathValidator.getInstance("PKIX")
				.validate(CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)), pkix);
		}
		catch (GeneralSecurityException ex) {
			throw new CertificateException("the peer's certificate does not chain to the mesh's trust bundle: "
					+ ex.getMessage(), ex);
		}
		String id;
		try {
			id = Pem.spiffeId(chain[0]);
		}
		catch (IllegalArgumentException ex) {
			throw new CertificateException("the peer's certificate has no SPIFFE ID");
		}
		if (!expected.test(id)) {
			throw new CertificateException("the peer is " + id + ", not " + expectation);
		}
		return id;
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		verify(chain);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		verify(chain);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
		verify(chain);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
		verify(chain);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		verify(chain);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		verify(chain);
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		return roots.get().toArray(X509Certificate[]::new);
	}

	/** Accepts any SPIFFE ID whose path is {@code path}, in whichever trust domain the bundle's roots sign for. */
	public static Predicate<String> pathIs(String path) {
		return id -> java.net.URI.create(id).getPath().equals(path);
	}
}
