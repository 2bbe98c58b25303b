package io.meshgate.controlplane.registry;

import java.util.List;

/** A registration the registry refuses; the message names each field and what is wrong with it. */
class InvalidRegistrationException extends RuntimeException {

	InvalidRegistrationException(List<String> problems) {
		super(String.join("; ", problems));
	}
}
