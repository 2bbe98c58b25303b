package io.meshgate.proxy.tls;

/**
 * Why a TLS handshake failed, in a few kinds a caller and a dashboard can act on, read from the JDK's reason
 * ({@link UpstreamTls#failureReason}): its label is the {@code reason} of {@code meshgate_tls_handshakes_total},
 * its message what a caller is told (never the JDK's text, which names hosts and addresses).
 */
public enum TlsFailure {

	WRONG_HOST("wrong_host", "its certificate does not name the host called"),
	UNTRUSTED("untrusted", "its certificate is not trusted"),
	EXPIRED("expired", "its certificate is not valid now"),
	/** a mesh peer whose SPIFFE ID is not one this side accepts (a workload posing as a node, say) */
	WRONG_IDENTITY("wrong_identity", "its SPIFFE ID is not one accepted here"),
	/** a caller of an inbound listener without a client certificate */
	NO_CERTIFICATE("no_certificate", "it presented no certificate"),
	NOT_TLS("not_tls", "it does not speak TLS on that port"),
	OTHER("handshake_failed", "the handshake failed");

	private final String label;

	private final String message;

	TlsFailure(String label, String message) {
		this.label = label;
		this.message = message;
	}

	public String label() {
		return label;
	}

	public String message() {
		return message;
	}

	/** @param reason what {@link UpstreamTls#failureReason} said */
	public static TlsFailure of(String reason) {
		if (reason.contains("subject alternative") || reason.contains("No name matching")) {
			return WRONG_HOST;
		}
		if (reason.contains("expired") || reason.contains("not yet valid")) {
			return EXPIRED;
		}
		if (reason.contains("certification path") || reason.contains("PKIX") || reason.contains("does not chain")) {
			return UNTRUSTED;
		}
		if (reason.contains("the peer is spiffe://") || reason.contains("has no SPIFFE ID")) {
			return WRONG_IDENTITY;
		}
		String lower = reason.toLowerCase(java.util.Locale.ROOT);
		// the JDK's words, then BoringSSL's
		if (lower.contains("empty client certificate chain") || lower.contains("presented no certificate")
				|| lower.contains("did_not_return_a_certificate") || lower.contains("certificate_required")) {
			return NO_CERTIFICATE;
		}
		if (reason.contains("not an SSL/TLS record")) {
			return NOT_TLS;
		}
		return OTHER;
	}
}
