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
		if (reason.contains("certification path") || reason.contains("PKIX")) {
			return UNTRUSTED;
		}
		if (reason.contains("expired") || reason.contains("not yet valid")) {
			return EXPIRED;
		}
		if (reason.contains("not an SSL/TLS record")) {
			return NOT_TLS;
		}
		return OTHER;
	}
}
