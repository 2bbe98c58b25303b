package io.meshgate.proxy.transport.reactor;

import java.util.ArrayList;
import java.util.List;

import org.reactivestreams.Publisher;

import io.meshgate.proxy.core.Exchange;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRequest;

/**
 * A request body as the tries of one exchange send it: the first try streams the caller's body (counting it) and
 * keeps retained duplicates of its buffers while they fit the exchange's replay limit; a retry sends those again.
 * A retry is possible when the first try never read the body (it failed to connect) or read all of it within the
 * limit. The first try's reading and a retry's decision may run on different event loops, hence the lock.
 */
final class ReplayableBody {

	private final HttpServerRequest request;

	private final Exchange exchange;

	private final boolean present;

	private final int limit;

	/** made only when a deadline waits for the end of the request (most requests have no timeout to count from) */
	private Sinks.Empty<Void> sent;

	private boolean wholeSent;

	private List<ByteBuf> kept;

	private int bytes;

	private boolean read;

	private boolean complete;

	private boolean released;

	/** @param present whether the request has a body at all (HTTP/1.x announces one; an HTTP/2 stream may carry one) */
	ReplayableBody(HttpServerRequest request, Exchange exchange, boolean present) {
		this.request = request;
		this.exchange = exchange;
		this.present = present;
		this.limit = exchange.replayLimit();
		this.kept = limit >= 0 && present ? new ArrayList<>(2) : null;
	}

	/** Completes once the whole body went to an upstream (at once when there is none). */
	synchronized Mono<Void> sent() {
		if (sent == null) {
			sent = Sinks.empty();
			if (wholeSent) {
				sent.tryEmitEmpty();
			}
		}
		return sent.asMono();
	}

	private void markSent() {
		Sinks.Empty<Void> waiting;
		synchronized (this) {
			wholeSent = true;
			waiting = sent;
		}
		if (waiting != null) {
			waiting.tryEmitEmpty();
		}
	}

	/** What a try sends; {@code null}: the request has no body (nothing is sent, not even an empty one). */
	synchronized Publisher<ByteBuf> forTry() {
		if (!present) {
			markSent();
			return null;
		}
		if (!read) {
			read = true;
			return request.receive().retain().doOnNext(this::received).doOnComplete(this::completed);
		}
		List<ByteBuf> copies = new ArrayList<>(kept.size());
		for (ByteBuf buffer : kept) {
			copies.add(buffer.retainedDuplicate());
		}
		return Flux.fromIterable(copies);
	}

	/** Whether another try can send the body again. */
	synchronized boolean replayable() {
		return !present || !read || (complete && kept != null);
	}

	private synchronized void received(ByteBuf buffer) {
		exchange.requestBytes(buffer.readableBytes());
		if (kept == null || released) {
			return;
		}
		bytes += buffer.readableBytes();
		if (bytes > limit) {
			kept.forEach(ByteBuf::release);
			kept = null; // too long to send again: this try is the only one
		}
		else {
			kept.add(buffer.retainedDuplicate());
		}
	}

	private void completed() {
		synchronized (this) {
			complete = true;
		}
		markSent();
	}

	/** The exchange is over: nothing is sent again. */
	synchronized void release() {
		released = true;
		if (kept != null) {
			kept.forEach(ByteBuf::release);
			kept = null;
		}
	}
}
