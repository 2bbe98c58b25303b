package io.meshgate.e2e.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Writes exactly the bytes given (malformed requests too) and reads the answer until the server closes. */
public final class RawHttp {

	private RawHttp() {
	}

	public record Answer(int status, String text) {
	}

	public static Answer send(int port, String request) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
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
			String text = answer.toString(StandardCharsets.ISO_8859_1);
			int status = text.matches("(?s)HTTP/1\\.[01] \\d{3}.*") ? Integer.parseInt(text.substring(9, 12)) : -1;
			return new Answer(status, text);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
