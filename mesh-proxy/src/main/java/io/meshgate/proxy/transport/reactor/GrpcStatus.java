package io.meshgate.proxy.transport.reactor;

import java.util.List;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/** gRPC's status headers, which must end a response (in trailers) rather than open it. */
final class GrpcStatus {

	private static final List<String> NAMES = List.of("grpc-status", "grpc-message", "grpc-status-details-bin");

	private GrpcStatus() {
	}

	/** Removes the status headers from a response's headers; @return them, or {@code null} when there were none */
	static HttpHeaders moveOut(HttpHeaders headers) {
		if (!headers.contains(NAMES.get(0))) {
			return null;
		}
		HttpHeaders status = new DefaultHttpHeaders();
		for (String name : NAMES) {
			List<String> values = headers.getAll(name);
			if (!values.isEmpty()) {
				status.add(name, values);
				headers.remove(name);
			}
		}
		return status;
	}

	/** {@code grpc-message} is percent-encoded UTF-8: printable ASCII other than {@code %} passes as it is. */
	static String encodeMessage(String message) {
		StringBuilder out = new StringBuilder(message.length());
		for (byte b : message.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
			if (b >= 0x20 && b < 0x7f && b != '%') {
				out.append((char) b);
			}
			else {
				out.append('%').append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
			}
		}
		return out.toString();
	}
}
