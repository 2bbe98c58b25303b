package io.meshgate.controlplane.push;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.meshgate.model.protocol.CommitStatus;
import io.meshgate.model.protocol.MeshApi;

/**
 * The push channel ({@code GET /mesh/v1/watch}), the current commit status, and a Git webhook to check Git now,
 * signed with a shared secret.
 */
@RestController
public class WatchController {

	private final WatchBroadcaster broadcaster;

	private final ConfigWatcher watcher;

	/** A push event's body is not read for anything but its signature: GitHub's are at most 25 MB, ours need less. */
	private static final int MAX_WEBHOOK_BODY = 1024 * 1024;

	private final WebhookSignature signature;

	WatchController(WatchBroadcaster broadcaster, ConfigWatcher watcher,
			@Value("${meshgate.control-plane.webhook-secret:}") String webhookSecret) {
		this.signature = new WebhookSignature(webhookSecret);
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

	/**
	 * The Git webhook: checks Git now, once the body's HMAC with the webhook secret verifies. 403 while no secret is
	 * set, 401 for a missing or wrong signature, 413 for a body over 1 MB; nothing is polled then.
	 */
	@PostMapping(path = MeshApi.POLL, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> poll(jakarta.servlet.http.HttpServletRequest request,
			@RequestHeader(name = WebhookSignature.GITHUB, required = false) String github,
			@RequestHeader(name = WebhookSignature.GITEA, required = false) String gitea) throws java.io.IOException {
		if (!signature.enabled()) {
			return refuse(HttpStatus.FORBIDDEN, "webhook disabled",
					"set MESHGATE_CONTROL_PLANE_WEBHOOK_SECRET and the same secret in the Git host's webhook");
		}
		// read at most one byte past the limit: a huge body is refused without being held
		byte[] payload = request.getInputStream().readNBytes(MAX_WEBHOOK_BODY + 1);
		if (payload.length > MAX_WEBHOOK_BODY) {
			return refuse(HttpStatus.CONTENT_TOO_LARGE, "payload too large", "a webhook body of at most 1 MB");
		}
		if (!signature.verifies(payload, github != null ? github : gitea)) {
			return refuse(HttpStatus.UNAUTHORIZED, "unauthorized", "the webhook needs an " + WebhookSignature.GITHUB
					+ " (or " + WebhookSignature.GITEA + ") HMAC-SHA256 of its body with the webhook secret");
		}
		watcher.pollNow();
		return status();
	}

	private static ResponseEntity<?> refuse(HttpStatus status, String error, String message) {
		return io.meshgate.controlplane.ApiRefusal.answer(status, error, message);
	}
}
