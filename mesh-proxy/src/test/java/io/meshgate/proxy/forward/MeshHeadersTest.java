package io.meshgate.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class MeshHeadersTest {

	@Test
	void hopByHopHeadersAndThoseConnectionNamesStayOnTheirHop() {
		HttpHeaders in = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Session-Hint, keep-alive")
			.add("Keep-Alive", "timeout=5")
			.add("Transfer-Encoding", "chunked")
			.add("Upgrade", "h2c")
			.add("Proxy-Authorization", "secret")
			.add("X-Session-Hint", "hop-only")
			.add("Accept", "application/json")
			.add("X-Trace", "a")
			.add("X-Trace", "b");
		HttpHeaders out = new DefaultHttpHeaders();

		MeshHeaders.copyEndToEnd(in, out);

		assertThat(out.names()).containsExactlyInAnyOrder("Accept", "X-Trace");
		assertThat(out.getAll("X-Trace")).containsExactly("a", "b");
	}

	@Test
	void teTrailersCrossesTheHopForGrpc() {
		HttpHeaders out = new DefaultHttpHeaders();
		MeshHeaders.copyEndToEnd(new DefaultHttpHeaders().add("TE", "trailers"), out);
		assertThat(out.get("te")).isEqualTo("trailers");

		HttpHeaders gzip = new DefaultHttpHeaders();
		MeshHeaders.copyEndToEnd(new DefaultHttpHeaders().add("TE", "gzip"), gzip);
		assertThat(gzip.contains("te")).isFalse();
	}
}
