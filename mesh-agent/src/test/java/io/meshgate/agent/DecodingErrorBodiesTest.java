package io.meshgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.meshgate.agent.ProxyListeners;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;

/** A listener's answers to requests it cannot decode carry a JSON body; everything else passes untouched. */
class DecodingErrorBodiesTest {

	private static DisposableServer listener;

	@BeforeAll
	static void start() {
		listener = ProxyListeners.listener("127.0.0.1", 0, 1024)
			.handle((request, response) -> request.uri().equals("/empty-400") ? response.status(400).send()
					: response.sendString(Mono.just("ok")))
			.bindNow();
	}

	@AfterAll
	static void stop() {
		listener.disposeNow();
	}

	private static String send(String request) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), 2000);
			socket.setSoTimeout(5000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[4096];
			try {
				for (int read; (read = in.read(buffer)) > 0;) {
					answer.write(buffer, 0, read);
				}
			}
			catch (java.net.SocketException ex) {
				// a server that answers before reading the whole request, then closes, resets the connection:
				// the answer already read is what counts
				if (answer.size() == 0) {
					throw ex;
				}
			}
			return answer.toString(StandardCharsets.ISO_8859_1);
		}
	}

	@Test
	void malformedRequestsGetAJsonBody() throws IOException {
		String answer = send("GARBAGE\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400").contains("content-type: application/json")
			.containsPattern("x-request-id: ([0-9a-f]{32})")
			.containsPattern("\\{\"status\":400,\"error\":\"bad_request\",\"message\":\"the request is not valid HTTP\","
					+ "\"requestId\":\"[0-9a-f]{32}\"}$");
	}

	@Test
	void headersTooLargeGetAJsonBody() throws IOException {
		String answer = send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "x".repeat(1500) + "\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 431").contains("\"error\":\"headers_too_large\"");
	}

	@Test
	void otherAnswersAreUntouched() throws IOException {
		assertThat(send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200")
			.endsWith("ok");
		// an application's own empty 400 is a real response, not a decoding failure: but it looks the same on the
		// wire, so it gets the body too; what matters is that it stays a 400 and stays valid HTTP
		assertThat(send("GET /empty-400 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400");
	}
}
