package io.meshgate.proxy.mirror;

import io.meshgate.proxy.core.Exchange;
import io.meshgate.proxy.core.ExchangeObserver;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Sends an exchange's shadow copy (see {@link MirrorStep}) as the request itself leaves for its upstream, with the
 * headers it leaves with (forwarded headers and trace context included), the mirror service's Host, and
 * {@code x-meshgate-shadow: true} so the service can tell a copy from a real call. An exchange observer, so both
 * transports trigger it the same way.
 */
public final class Mirroring implements ExchangeObserver {

	/** Tells the service that gets a copy that nobody waits for its answer. */
	public static final String SHADOW_HEADER = "x-meshgate-shadow";

	private volatile MirrorSender sender;

	/** Set once the listeners' clients exist; copies picked before are not sent. */
	public void sender(MirrorSender sender) {
		this.sender = sender;
	}

	@Override
	public void forwarding(Exchange exchange, HttpHeaders outgoing) {
		Mirrored mirror = exchange.mirror();
		MirrorSender current = sender;
		if (mirror == null || current == null) {
			return;
		}
		HttpHeaders copy = new DefaultHttpHeaders().set(outgoing);
		mirror.hop().applyTo(copy);
		copy.set(SHADOW_HEADER, "true");
		current.send(exchange.head().method(), copy, mirror);
	}

	@Override
	public void ended(Exchange exchange) {
	}
}
