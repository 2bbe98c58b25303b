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
	void callersGetTheKindOfTlsFailureAndTheLogGetsTheRest() {
		ProxyError error = ProxyError.upstream("svc", "https://10.0.0.7:443", new DecoderException(
				new SSLHandshakeException("No subject alternative names matching IP address 10.0.0.7 found")));
		assertThat(error.status().code()).isEqualTo(502);
		assertThat(new String(error.json("r-1"))).isEqualTo("{\"status\":502,\"error\":\"upstream_tls\",\"message\":"
				+ "\"TLS with service 'svc' failed: its certificate does not name the host called\",\"requestId\":\"r-1\"}");
		assertThat(error.detail()).contains("https://10.0.0.7:443").contains("No subject alternative names");
	}

	@Test
	void noAnswerCarriesAnEndpointAddressOrAnExceptionText() {
		for (Throwable failure : new Throwable[] { new ConnectException("Connection refused: /10.0.0.7:15006"),
				new IOException("Connection reset by peer"), new TimeoutException(),
				new IllegalStateException("java.lang.IllegalStateException: boom at 10.0.0.7"),
				new DecoderException(new SSLHandshakeException("PKIX path building failed")) }) {
			ProxyError error = ProxyError.upstream("svc", "http://10.0.0.7:15006", failure);
			assertThat(new String(error.json("id"))).as(failure.toString()).doesNotContain("10.0.0.7")
				.doesNotContain("Exception")
				.contains("service 'svc'");
			assertThat(error.detail()).contains("10.0.0.7");
		}
	}

	@Test
	void aCallersSaneRequestIdIsKeptAnythingElseReplaced() {
		assertThat(RequestIds.of(new io.netty.handler.codec.http.DefaultHttpHeaders().set("x-request-id", "abc-1.2:3")))
			.isEqualTo("abc-1.2:3");
		assertThat(RequestIds.of(new io.netty.handler.codec.http.DefaultHttpHeaders().set("x-request-id", "a\"b")))
			.matches("[0-9a-f]{32}");
		assertThat(RequestIds.of(new io.netty.handler.codec.http.DefaultHttpHeaders())).matches("[0-9a-f]{32}");
	}
}
