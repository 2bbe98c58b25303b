package io.meshgate.controlplane.registry;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.meshgate.controlplane.ApiRefusal;
import io.meshgate.controlplane.access.Caller;
import jakarta.servlet.http.HttpServletRequest;
import io.meshgate.controlplane.validation.ServedModel;
import io.meshgate.model.protocol.EndpointSet;
import io.meshgate.model.protocol.MeshApi;
import io.meshgate.model.protocol.Registration;
import tools.jackson.core.JacksonException;

/**
 * The agents' side of the registry: {@code PUT} registers a node or renews its lease and answers the resulting
 * endpoint set, {@code DELETE} removes it, {@code GET} reads every endpoint. Refusals are JSON
 * {@code {"error", "message"}}: 400 naming each bad field, 403 for a service the model gives static endpoints or a
 * full registry.
 */
@RestController
@RequestMapping(MeshApi.REGISTRY)
class RegistryController {

	private final NodeRegistry registry;

	private final ServedModel model;

	RegistryController(NodeRegistry registry, ServedModel model) {
		this.registry = registry;
		this.model = model;
	}

	@GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
	EndpointSet endpoints() {
		return registry.endpoints();
	}

	/**
	 * A node registers itself only (the node of the certificate it presented) and only services its join token
	 * entitled it to; 403 naming what was refused otherwise.
	 */
	@PutMapping(path = "/nodes/{node}", produces = MediaType.APPLICATION_JSON_VALUE)
	EndpointSet register(@PathVariable String node, @RequestBody Registration registration,
			HttpServletRequest request) {
		List<String> problems = RegistrationRules.check(node, registration);
		if (!problems.isEmpty()) {
			throw new ApiRefusal(HttpStatus.BAD_REQUEST, "invalid registration", String.join("; ", problems));
		}
		Caller.Node caller = (Caller.Node) Caller.of(request); // the filter admits nodes only
		if (!caller.name().equals(node)) {
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled",
					"node '" + caller.name() + "' may register itself only, not node '" + node + "'");
		}
		List<String> unentitled = registration.services().stream().filter(s -> !caller.services().contains(s)).toList();
		if (!unentitled.isEmpty()) {
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled", "node '" + node + "' is not entitled to serve "
					+ unentitled + " (its join token allowed " + caller.services() + ")");
		}
		List<String> claimed = registration.services().stream().filter(model.staticServices()::contains).toList();
		if (!claimed.isEmpty()) {
			// the model says where these run: an endpoint in the registry must never replace them
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled", "services " + claimed
					+ " have static endpoints in the model; the registry does not serve them (a service has one or "
					+ "the other)");
		}
		return registry.register(registration);
	}

	/** A node leaves itself only; the operator may remove any node. */
	@DeleteMapping("/nodes/{node}")
	ResponseEntity<Void> deregister(@PathVariable String node, HttpServletRequest request) {
		if (Caller.of(request) instanceof Caller.Node caller && !caller.name().equals(node)) {
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled",
					"node '" + caller.name() + "' may remove itself only, not node '" + node + "'");
		}
		registry.deregister(node);
		return ResponseEntity.noContent().build();
	}

	@ExceptionHandler
	ResponseEntity<ApiRefusal.ApiError> unreadable(HttpMessageNotReadableException ex) {
		String message = "body: missing or not JSON; send a Registration like {\"node\": \"node-a\", "
				+ "\"inboundAddress\": \"http://127.0.0.1:15006\", \"services\": [\"orders\"], \"ttlSeconds\": 10}";
		if (ex.getCause() instanceof JacksonException json) {
			String field = json.getPath()
				.stream()
				.map(ref -> ref.getPropertyName() != null ? "." + ref.getPropertyName() : "[" + ref.getIndex() + "]")
				.reduce("", String::concat);
			message = (field.isEmpty() ? "body" : field.substring(field.startsWith(".") ? 1 : 0)) + ": "
					+ json.getOriginalMessage();
		}
		return ApiRefusal.answer(HttpStatus.BAD_REQUEST, "unreadable registration", message);
	}
}
