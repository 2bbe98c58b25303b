package io.meshgate.controlplane.push;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.MeshApi;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Holds the current commit status and the open watch streams. A subscriber gets the current status as soon as it
 * connects, so a proxy that reconnects after a gap catches up at once; a stream that cannot be written is dropped.
 */
@Component
public class VersionBroadcaster {

	private static final Log logger = LogFactory.getLog(VersionBroadcaster.class);

	private final Set<SseEmitter> subscribers = ConcurrentHashMap.newKeySet();

	private volatile CommitStatus current;

	public VersionBroadcaster(MeterRegistry meterRegistry) {
		meterRegistry.gauge("meshgate.controlplane.watch.subscribers", subscribers, Set::size);
	}

	public CommitStatus current() {
		return current;
	}

	public SseEmitter subscribe() {
		SseEmitter emitter = new SseEmitter(0L);
		emitter.onCompletion(() -> subscribers.remove(emitter));
		emitter.onTimeout(() -> subscribers.remove(emitter));
		emitter.onError(error -> subscribers.remove(emitter));
		subscribers.add(emitter);
		CommitStatus status = current;
		if (status != null) {
			send(emitter, status);
		}
		else {
			heartbeat(emitter); // commit the response headers so the client knows it is connected
		}
		return emitter;
	}

	public void publish(CommitStatus status) {
		current = status;
		for (SseEmitter subscriber : subscribers) {
			send(subscriber, status);
		}
	}

	void heartbeat() {
		for (SseEmitter subscriber : subscribers) {
			heartbeat(subscriber);
		}
	}

	int subscriberCount() {
		return subscribers.size();
	}

	private void send(SseEmitter emitter, CommitStatus status) {
		try {
			emitter.send(SseEmitter.event()
				.name(MeshApi.VERSION_EVENT)
				.id(status.version())
				.data(status, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			drop(emitter, ex);
		}
	}

	private void heartbeat(SseEmitter emitter) {
		try {
			emitter.send(SseEmitter.event().comment("heartbeat"));
		}
		catch (IOException | IllegalStateException ex) {
			drop(emitter, ex);
		}
	}

	private void drop(SseEmitter emitter, Exception cause) {
		subscribers.remove(emitter);
		emitter.completeWithError(cause);
		logger.debug("Dropped a watch subscriber: " + cause.getMessage());
	}
}
