package io.meshgate.controlplane.registry;

import org.springframework.http.HttpStatus;

/** A well-formed registration the registry will not take, and why. */
class RefusedRegistrationException extends RuntimeException {

	final HttpStatus status;

	final String error;

	RefusedRegistrationException(HttpStatus status, String error, String message) {
		super(message);
		this.status = status;
		this.error = error;
	}
}
