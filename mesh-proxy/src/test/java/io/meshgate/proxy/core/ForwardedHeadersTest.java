package io.meshgate.proxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/** What the next hop learns about a caller at the edge, whatever the caller claims. */
class ForwardedHeadersTest {

	private static HttpHeaders spoofed() {
		return new DefaultHttpHeaders().set("x-forwarded-for", "6.6.6.6")
			.set("x-forwarded-proto", "https")
			.set("x-forwarded-host", "bank.example")
			.set("x-forwarded-port", "443")
			.set("x-real-ip", "6.6.6.6")
			.set("forwarded", "for=6.6.6.6;proto=https");
	}

	private static InetSocketAddress from(String ip) throws Exception {
		return new InetSocketAddress(InetAddress.getByName(ip), 50000);
	}

	@Test
	void anUntrustedCallersClaimsAreReplacedByWhatTheConnectionSays() throws Exception {
		HttpHeaders headers = spoofed();
		ForwardedHeaders.edge(List.of("10.0.0.0/8")).apply(headers, from("203.0.113.9"), "http", "shop.example");
		assertThat(headers.get("x-forwarded-for")).isEqualTo("203.0.113.9");
		assertThat(headers.get("x-forwarded-proto")).isEqualTo("http");
		assertThat(headers.get("x-forwarded-host")).isEqualTo("shop.example");
		assertThat(headers.get("forwarded")).isEqualTo("for=203.0.113.9;proto=http;host=\"shop.example\"");
		assertThat(headers.contains("x-real-ip")).isFalse();
		assertThat(headers.contains("x-forwarded-port")).isFalse();
	}

	@Test
	void aTrustedProxysHeadersAreKeptAndAppendedTo() throws Exception {
		HttpHeaders headers = spoofed();
		ForwardedHeaders.edge(List.of("10.0.0.0/8", "192.0.2.7")).apply(headers, from("10.1.2.3"), "http", "shop");
		assertThat(headers.get("x-forwarded-for")).isEqualTo("6.6.6.6, 10.1.2.3");
		assertThat(headers.get("x-forwarded-proto")).isEqualTo("https");
		assertThat(headers.get("forwarded")).isEqualTo("for=6.6.6.6;proto=https, for=10.1.2.3;proto=http;host=\"shop\"");
	}

	@Test
	void anIpv6CallerIsQuotedInForwarded() throws Exception {
		HttpHeaders headers = new DefaultHttpHeaders();
		ForwardedHeaders.edge(List.of()).apply(headers, from("::1"), "http", null);
		assertThat(headers.get("forwarded")).isEqualTo("for=\"[0:0:0:0:0:0:0:1]\";proto=http");
	}

	@Test
	void insideTheMeshWhatTheCallerSentIsKept() throws Exception {
		HttpHeaders headers = spoofed();
		ForwardedHeaders.MESH.apply(headers, from("127.0.0.1"), "http", "orders");
		assertThat(headers.get("x-forwarded-for")).isEqualTo("6.6.6.6, 127.0.0.1");
		assertThat(headers.get("x-forwarded-proto")).isEqualTo("https");
		assertThat(headers.get("forwarded")).isEqualTo("for=6.6.6.6;proto=https");
	}

	@Test
	void aBadTrustedProxyEntryIsNamed() {
		assertThatThrownBy(() -> ForwardedHeaders.edge(List.of("10.0.0.0/8", "proxy.example")))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'proxy.example'");
	}
}
