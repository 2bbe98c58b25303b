package io.meshgate.proxy.telemetry;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import io.meshgate.proxy.core.Decision;
import io.meshgate.proxy.core.Direction;
import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.meshgate.proxy.core.Hop;
import io.meshgate.proxy.core.Outcome;
import io.meshgate.proxy.core.Pipeline;
import io.meshgate.proxy.core.Protocol;
import io.meshgate.proxy.core.RequestHead;
import io.meshgate.proxy.core.Verdict;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Exchanges driven the way a transport drives them (decide, forward with the outgoing headers, respond, end), without
 * the sockets: what an exchange observer sees is the same.
 */
final class Exchanges {

	private Exchanges() {
	}

	/** One forwarded request of {@code direction} to {@code orders}, {@code 200}; the outgoing headers it carried. */
	static HttpHeaders forward(ExchangeObserver observer, Direction direction, HttpHeaders incoming) {
		GoldenMetrics metrics = GoldenMetrics.none();
		if (!incoming.contains("host")) {
			incoming.set("host", "orders");
		}
		Pipeline pipeline = new Pipeline(direction, List.of(exchange -> {
			exchange.route("orders-api", null);
			exchange.destination("orders", metrics.meters(direction, "gateway", "orders-api", "orders"));
			exchange.hop(new Hop("orders", "http://127.0.0.1:1", exchange.head().pathAndQuery(), "orders", false,
					Duration.ofSeconds(1)));
			return Verdict.NEXT;
		}), observer, metrics.meters(direction, "gateway", "default", "unknown"));
		Exchange exchange = pipeline.exchange(RequestHead.of(direction, Protocol.HTTP_1_1, HttpMethod.GET,
				"/api/orders/7?token=secret", incoming, new InetSocketAddress("10.0.0.9", 40000)));
		if (pipeline.decide(exchange, Runnable::run) != Decision.FORWARD) {
			throw new IllegalStateException("not forwarded: " + exchange.answer());
		}
		HttpHeaders outgoing = new DefaultHttpHeaders();
		outgoing.add(incoming);
		exchange.forwardedHeaders(outgoing, "http");
		exchange.responseBytes(42);
		exchange.responded(200);
		exchange.end(Outcome.SUCCESS);
		return outgoing;
	}

	static HttpHeaders forward(ExchangeObserver observer) {
		return forward(observer, Direction.INGRESS, new DefaultHttpHeaders());
	}
}
