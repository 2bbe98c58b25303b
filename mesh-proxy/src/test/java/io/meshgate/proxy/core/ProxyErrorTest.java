package io.meshgate.proxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.DecoderException;

/** One classification of upstream failures for both transports: what each becomes for the caller and in metrics. */
class ProxyErrorTest {

	private static Outcome classify(Throwable failure) {
		return ProxyError.upstream("svc", "http://10.0.0.7:15006", failure).outcome();
	}

	@Test
	void upstreamFailuresAreClassifiedOnce() {
		assertThat(classify(new ConnectException("Connection refused"))).isEqualTo(Outcome.CONNECT_FAILED);
		assertThat(classify(new IllegalStateException("wrapped", new ConnectException("refused"))))
			.isEqualTo(Outcome.CONNECT_FAILED);
		assertThat(classify(new TimeoutException())).isEqualTo(Outcome.TIMEOUT);
		assertThat(classify(new DecoderException(new SSLHandshakeException("PKIX path building failed"))))
			.isEqualTo(Outcome.UPSTREAM_TLS);
		// a reset while the request was still being written is the same to the caller as a close before the answer
		assertThat(classify(new IOException("recvAddress(..) failed with error(-104): Connection reset by peer")))
			.isEqualTo(Outcome.UPSTREAM_RESET);
		assertThat(classify(new IllegalStateException("something else"))).isEqualTo(Outcome.UPSTREAM_ERROR);
	}

	@Test
	void aTlsFailureNamesTheReasonAndTheJsonBodyIsWellFormed() {
		ProxyError error = ProxyError.upstream("svc", "https://10.0.0.7:443",
				new DecoderException(new SSLHandshakeException("No subject alternative names matching \"x\" found")));
		assertThat(error.status().code()).isEqualTo(502);
		assertThat(new String(error.json())).isEqualTo("{\"status\":502,\"error\":\"upstream_tls\",\"message\":"
				+ "\"TLS with service 'svc' at https://10.0.0.7:443 failed: No subject alternative names matching "
				+ "\\\"x\\\" found\"}");
	}
}
