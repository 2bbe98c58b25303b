package io.meshgate.client.identity;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one X.509-SVID, read anew at each handshake: a renewal takes effect on the next connection, with no TLS
 * context to rebuild and no connection to drop. Before there is one (not yet enrolled) it presents nothing, so the
 * peer sees a client without a certificate and says so.
 */
public final class SvidKeyManager extends X509ExtendedKeyManager {

	/** A private key and the certificate that certifies it (the SVID first, then any intermediates). */
	public record Svid(PrivateKey key, X509Certificate[] chain) {
	}

	private static final String ALIAS = "svid";

	private final Supplier<Svid> current;

	/** When set, the SVID is presented only to a server that asks for a certificate issued under these roots. */
	private final Supplier<List<X509Certificate>> onlyFor;

	/**
	 * @param current the SVID to present now, or {@code null} while there is none. A handshake asks for the chain and
	 *                the key separately: a renewal between the two is harmless as long as it keeps the key, which the
	 *                mesh's renewals do (a node renews for the key it enrolled with)
	 */
	public SvidKeyManager(Supplier<Svid> current) {
		this(current, null);
	}

	/**
	 * A client's key manager that presents the SVID only to servers asking for a certificate of the mesh: a
	 * certificate request naming one of {@code roots}, or naming no CA at all; one naming only other CAs (a public
	 * HTTPS server that wants its own client certificates) gets none.
	 */
	public SvidKeyManager(Supplier<Svid> current, Supplier<List<X509Certificate>> roots) {
		this.current = current;
		this.onlyFor = roots;
	}

	private boolean asksForTheMesh(Principal[] issuers) {
		if (onlyFor == null) {
			return true;
		}
		if (issuers == null || issuers.length == 0) {
			// a server that names no CAs (BoringSSL's, as the agents' inbound listeners run it) gets the SVID: it asked
			return true;
		}
		for (X509Certificate root : onlyFor.get()) {
			for (Principal issuer : issuers) {
				if (root.getSubjectX500Principal().equals(issuer)) {
					return true;
				}
			}
		}
		return false;
	}

	@Override
	public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
		return current.get() == null || !asksForTheMesh(issuers) ? null : ALIAS;
	}

	@Override
	public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
		return chooseClientAlias(keyTypes, issuers, null);
	}

	@Override
	public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
		return current.get() == null ? null : ALIAS;
	}

	@Override
	public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
		return chooseServerAlias(keyType, issuers, null);
	}

	@Override
	public String[] getClientAliases(String keyType, Principal[] issuers) {
		return current.get() == null ? new String[0] : new String[] { ALIAS };
	}

	@Override
	public String[] getServerAliases(String keyType, Principal[] issuers) {
		return getClientAliases(keyType, issuers);
	}

	@Override
	public X509Certificate[] getCertificateChain(String alias) {
		Svid svid = current.get();
		return svid == null ? null : svid.chain().clone();
	}

	@Override
	public PrivateKey getPrivateKey(String alias) {
		Svid svid = current.get();
		return svid == null ? null : svid.key();
	}
}
