package io.meshgate.proxy.ratelimit;

import java.net.InetSocketAddress;
import java.util.function.Function;

import io.meshgate.proxy.core.Exchange;

/**
 * What a rate limit's {@code key} says gets a bucket of its own, as a function of the exchange: the limit's buckets are
 * looked up by the value it returns. Requests that lack the value (no token, no such header, plain text without an
 * identity) share one bucket, {@code ""}.
 */
final class RateLimitKey {

	private RateLimitKey() {
	}

	static Function<Exchange, String> of(String key) {
		return switch (key) {
			case "none" -> exchange -> "";
			case "client-ip" -> RateLimitKey::clientIp;
			case "principal" -> exchange -> orEmpty(exchange.principal());
			case "caller" -> exchange -> orEmpty(exchange.head().peerIdentity());
			default -> {
				String header = key.substring("header:".length());
				yield exchange -> orEmpty(exchange.head().headers().get(header));
			}
		};
	}

	private static String clientIp(Exchange exchange) {
		InetSocketAddress client = exchange.head().client();
		return client == null || client.getAddress() == null ? "" : client.getAddress().getHostAddress();
	}

	private static String orEmpty(String value) {
		return value == null ? "" : value;
	}
}
