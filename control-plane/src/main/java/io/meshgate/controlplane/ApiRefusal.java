package io.meshgate.controlplane;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A request the control plane's mesh API refuses: its status, a short kind of error and a message naming what was
 * wrong, answered as JSON {@code {"error", "message"}} by every controller alike ({@link Answers}).
 */
public class ApiRefusal extends RuntimeException {

	private final HttpStatus status;

	private final String error;

	public ApiRefusal(HttpStatus status, String error, String message) {
		super(message);
		this.status = status;
		this.error = error;
	}

	/** The body of every refusal of the mesh API. */
	public record ApiError(String error, String message) {
	}

	public ResponseEntity<ApiError> answer() {
		return answer(status, error, getMessage());
	}

	public static ResponseEntity<ApiError> answer(HttpStatus status, String error, String message) {
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ApiError(error, message));
	}

	@RestControllerAdvice
	static class Answers {

		@ExceptionHandler
		ResponseEntity<ApiError> refused(ApiRefusal refusal) {
			return refusal.answer();
		}
	}
}
