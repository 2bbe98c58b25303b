package io.meshgate.controlplane.push;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.MeshApi;

/** The push channel ({@code GET /mesh/v1/watch}), the current commit status, and a webhook to check Git now. */
@RestController
public class WatchController {

	private final WatchBroadcaster broadcaster;

	private final ConfigWatcher watcher;

	WatchController(WatchBroadcaster broadcaster, ConfigWatcher watcher) {
		this.broadcaster = broadcaster;
		this.watcher = watcher;
	}

	@GetMapping(path = MeshApi.WATCH, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter watch() {
		return broadcaster.subscribe();
	}

	@GetMapping(path = MeshApi.STATUS, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<CommitStatus> status() {
		CommitStatus status = broadcaster.current();
		return status == null ? ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build() : ResponseEntity.ok(status);
	}

	@PostMapping(path = MeshApi.POLL, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<CommitStatus> poll() {
		watcher.pollNow();
		return status();
	}
}
