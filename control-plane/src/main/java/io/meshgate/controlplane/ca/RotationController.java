package io.meshgate.controlplane.ca;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.meshgate.controlplane.ApiRefusal;
import io.meshgate.model.protocol.MeshApi;
import io.meshgate.model.protocol.RotationRequest;

/**
 * The CA's roots and their rotation: {@code GET /mesh/v1/ca} (a node or the operator) shows them;
 * {@code POST /mesh/v1/ca/rotation} (the operator only, see access.Access) starts a rotation. The old root must stay
 * trusted at least as long as the longest certificate it may have signed lives, so a shorter overlap is refused.
 */
@RestController
class RotationController {

	static final Duration DEFAULT_PROPAGATION = Duration.ofSeconds(60);

	private final CertificateAuthority ca;

	/** The longest life of a certificate the CA issues: SVIDs or the control plane's own. */
	private final Duration longestLife;

	RotationController(CertificateAuthority ca, @Value("${meshgate.control-plane.ca.svid-ttl:24h}") Duration svidTtl,
			@Value("${meshgate.control-plane.tls.ttl:24h}") Duration tlsTtl) {
		this.ca = ca;
		this.longestLife = svidTtl.compareTo(tlsTtl) > 0 ? svidTtl : tlsTtl;
	}

	@GetMapping(path = MeshApi.CA, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> status() {
		return ca.status();
	}

	@PostMapping(path = MeshApi.CA_ROTATION, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> rotate(@RequestBody(required = false) RotationRequest request) {
		List<String> problems = new ArrayList<>();
		Duration propagation = parse(request == null ? null : request.propagation(), "propagation",
				DEFAULT_PROPAGATION, problems);
		Duration overlap = parse(request == null ? null : request.overlap(), "overlap", longestLife, problems);
		if (propagation != null && (propagation.isNegative() || propagation.compareTo(Duration.ofDays(1)) > 0)) {
			problems.add("propagation: " + propagation + " is not between 0s and 1d");
		}
		if (overlap != null && overlap.compareTo(longestLife) < 0) {
			problems.add("overlap: " + print(overlap) + " is shorter than the longest certificate life ("
					+ print(longestLife) + "): certificates the old root signed would stop being trusted before they "
					+ "expire");
		}
		if (!problems.isEmpty()) {
			throw new ApiRefusal(HttpStatus.BAD_REQUEST, "invalid rotation request", String.join("; ", problems));
		}
		try {
			ca.rotate(propagation, overlap);
		}
		catch (IllegalStateException ex) {
			throw new ApiRefusal(HttpStatus.CONFLICT, "rotation refused", ex.getMessage());
		}
		return ResponseEntity.accepted().body(ca.status());
	}

	/** {@code 24h}, {@code 90s}: as the settings are written. */
	private static String print(Duration duration) {
		if (duration.toMillis() % 3_600_000 == 0) {
			return duration.toHours() + "h";
		}
		if (duration.toMillis() % 60_000 == 0) {
			return duration.toMinutes() + "m";
		}
		return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	private static Duration parse(String text, String key, Duration otherwise, List<String> problems) {
		if (text == null || text.isBlank()) {
			return otherwise;
		}
		try {
			return DurationStyle.detectAndParse(text);
		}
		catch (IllegalArgumentException ex) {
			problems.add(key + ": '" + text + "' is not a duration (write it like 60s or 24h)");
			return null;
		}
	}
}
