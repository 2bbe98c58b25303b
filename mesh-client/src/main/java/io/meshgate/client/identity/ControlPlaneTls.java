package io.meshgate.client.identity;

import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * How a proxy talks to the control plane: TLS 1.3, the control plane recognised by its SPIFFE ID
 * ({@code spiffe://<trust-domain>/control-plane}, certified by the mesh's root) rather than by the host name it was
 * reached at, and the proxy presenting its node SVID. Key and trust are read at each handshake, so one client serves
 * from enrolment through every renewal.
 */
public final class ControlPlaneTls {

	/** The path of the control plane's SPIFFE ID; nodes and workloads are issued only {@code /node/} and {@code /svc/} IDs. */
	public static final String CONTROL_PLANE_PATH = "/control-plane";

	private ControlPlaneTls() {
	}

	/** @param svid the node SVID to present, {@code null} while there is none; @param roots the trust bundle */
	public static SSLContext context(Supplier<SvidKeyManager.Svid> svid, Supplier<List<X509Certificate>> roots) {
		try {
			SSLContext context = SSLContext.getInstance("TLSv1.3");
			context.init(new KeyManager[] { new SvidKeyManager(svid) },
					new TrustManager[] { new BundleTrustManager(roots, BundleTrustManager.pathIs(CONTROL_PLANE_PATH),
							"the control plane (" + CONTROL_PLANE_PATH + ")") },
					new SecureRandom());
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("TLS 1.3 is not available: " + ex.getMessage(), ex);
		}
	}

	/** An HTTP/1.1 client over {@code context}. */
	public static HttpClient client(SSLContext context, Duration connectTimeout) {
		SSLParameters parameters = new SSLParameters();
		parameters.setProtocols(new String[] { "TLSv1.3" });
		return HttpClient.newBuilder()
			.connectTimeout(connectTimeout)
			.version(HttpClient.Version.HTTP_1_1)
			.sslContext(context)
			.sslParameters(parameters)
			.build();
	}
}
