package io.meshgate.proxy.core;

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

	@Test
	void strippingInPlaceKeepsTheMessagesOwnFraming() {
		HttpHeaders headers = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Session-Hint")
			.add("Keep-Alive", "timeout=5")
			.add("Transfer-Encoding", "chunked")
			.add("TE", "trailers, deflate")
			.add("Proxy-Connection", "keep-alive")
			.add("X-Session-Hint", "hop-only")
			.add("X-Trace", "a");

		MeshHeaders.stripHopByHop(headers);

		assertThat(headers.names()).containsExactlyInAnyOrder("Transfer-Encoding", "te", "X-Trace");
		assertThat(headers.get("te")).isEqualTo("trailers");
	}

	@Test
	void forwardedForAppendsTheCallerAndKeepsAnEarlierProto() throws Exception {
		java.net.InetSocketAddress caller = new java.net.InetSocketAddress(java.net.InetAddress.getByName("10.1.2.3"), 4000);
		HttpHeaders first = new DefaultHttpHeaders();
		ForwardedHeaders.MESH.apply(first, caller, "https", "orders");
		assertThat(first.get("x-forwarded-for")).isEqualTo("10.1.2.3");
		assertThat(first.get("x-forwarded-proto")).isEqualTo("https");

		ForwardedHeaders.MESH.apply(first, caller, "http", "orders");
		assertThat(first.get("x-forwarded-for")).isEqualTo("10.1.2.3, 10.1.2.3");
		assertThat(first.get("x-forwarded-proto")).isEqualTo("https");
	}
}
