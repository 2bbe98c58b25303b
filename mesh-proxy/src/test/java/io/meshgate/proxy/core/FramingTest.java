package io.meshgate.proxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/** RFC 9112's rules on a request head, before any step: a row is protocol, headers ("name: value; ..."), answer. */
class FramingTest {

	@ParameterizedTest(name = "{0} [{1}] -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			HTTP_1_1 | host: a                                        | ok
			HTTP_1_1 | host: a; transfer-encoding: chunked            | ok
			HTTP_1_1 | host: a; transfer-encoding: Chunked            | ok
			HTTP_1_1 |                                                | 400 an HTTP/1.1 request needs a Host header
			HTTP_1_1 | host: a; host: b                               | 400 more than one Host header
			HTTP_1_0 |                                                | ok
			HTTP_1_0 | host: a; host: b                               | 400 more than one Host header
			HTTP_1_0 | host: a; transfer-encoding: chunked            | 400 Transfer-Encoding on an HTTP/1.0 request
			HTTP_1_1 | host: a; transfer-encoding: xchunked           | 501 transfer coding 'xchunked' is not supported
			HTTP_1_1 | host: a; transfer-encoding: gzip, chunked      | 501 transfer coding 'gzip' is not supported
			HTTP_1_1 | host: a; transfer-encoding: chunked, identity  | 501 transfer coding 'identity' is not supported
			HTTP_1_1 | host: a; transfer-encoding: chunked; transfer-encoding: x | 501 transfer coding 'x' is not supported
			WEBSOCKET |                                               | 400 an HTTP/1.1 request needs a Host header
			HTTP_2   |                                                | ok
			GRPC     | host: a; host: b                               | ok
			""")
	void checks(Protocol protocol, String headerList, String expected) {
		HttpHeaders headers = new DefaultHttpHeaders();
		if (headerList != null) {
			for (String header : headerList.split(";")) {
				String[] nameValue = header.split(":", 2);
				headers.add(nameValue[0].trim(), nameValue[1].trim());
			}
		}
		ProxyError error = Framing.check(
				RequestHead.of(Direction.INGRESS, protocol, HttpMethod.POST, "/x", headers, null));
		assertThat(error == null ? "ok" : error.status().code() + " " + error.message()).isEqualTo(expected);
		if (error != null) {
			assertThat(Framing.closesConnection(error)).isTrue();
		}
	}
}
