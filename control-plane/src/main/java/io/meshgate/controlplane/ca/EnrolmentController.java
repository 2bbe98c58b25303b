package io.meshgate.controlplane.ca;

import java.net.URI;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.meshgate.controlplane.ApiRefusal;
import io.meshgate.controlplane.access.Caller;
import jakarta.servlet.http.HttpServletRequest;
import io.meshgate.controlplane.registry.RegistrationRules;
import io.meshgate.controlplane.validation.ServedModel;
import io.meshgate.model.protocol.Enrolment;
import io.meshgate.model.protocol.EnrolmentRequest;
import io.meshgate.model.protocol.MeshApi;
import io.meshgate.model.protocol.RenewalRequest;
import io.meshgate.model.protocol.TokenRequest;
import io.meshgate.model.identity.Pem;

/**
 * Enrolment: the operator makes a join token for a node ({@code POST /mesh/v1/tokens}, with the operator secret);
 * the node trades it, once, with a CSR for its SVIDs ({@code POST /mesh/v1/enrol}): a node identity
 * {@code spiffe://<td>/node/<node>} and one {@code spiffe://<td>/svc/<service>} per service it asks for and the
 * token entitles. Refusals are JSON {@code {"error", "message"}}: 401 for the token or the operator secret, 403 for
 * what the token does not entitle, 400 for a bad request or CSR, each naming what was wrong.
 */
@RestController
class EnrolmentController {

	private static final Log logger = LogFactory.getLog(EnrolmentController.class);

	private static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(1);

	private final CertificateAuthority ca;

	private final JoinTokens tokens;

	private final ServedModel model;

	private final Duration svidTtl;

	private final Counter enrolled;

	private final Counter renewedCertificates;

	EnrolmentController(CertificateAuthority ca, JoinTokens tokens, ServedModel model,
			@Value("${meshgate.control-plane.ca.svid-ttl:24h}") Duration svidTtl, MeterRegistry meters) {
		this.enrolled = issued(meters, "enrol");
		this.renewedCertificates = issued(meters, "renew");
		this.ca = ca;
		this.tokens = tokens;
		this.model = model;
		this.svidTtl = svidTtl;
	}

	private static Counter issued(MeterRegistry meters, String kind) {
		return Counter.builder("meshgate.controlplane.certificates.issued")
			.tag("kind", kind)
			.description("SVIDs the CA signed: at enrolment, or renewing one")
			.register(meters);
	}

	record TokenAnswer(String token, String node, List<String> services, Instant expiresAt) {
	}

	@PostMapping(path = MeshApi.TOKENS, produces = MediaType.APPLICATION_JSON_VALUE)
	TokenAnswer createToken(@RequestBody TokenRequest request) { // the operator's only (access.CallerFilter)
		List<String> problems = new ArrayList<>();
		if (!RegistrationRules.isNodeName(request.node())) {
			problems.add("node: '" + request.node() + "' is not a valid node name");
		}
		for (String service : request.services()) {
			if (!RegistrationRules.isServiceName(service)) {
				problems.add("services: '" + service + "' is not a valid service name");
			}
		}
		Duration ttl = DEFAULT_TOKEN_TTL;
		if (request.ttl() != null && !request.ttl().isBlank()) {
			try {
				ttl = DurationStyle.detectAndParse(request.ttl());
			}
			catch (IllegalArgumentException ex) {
				problems.add("ttl: '" + request.ttl() + "' is not a duration (write it like 10m or 1h)");
			}
		}
		if (!problems.isEmpty()) {
			throw new ApiRefusal(HttpStatus.BAD_REQUEST, "invalid token request", String.join("; ", problems));
		}
		String token;
		try {
			token = tokens.create(request.node(), request.services(), ttl);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiRefusal(HttpStatus.BAD_REQUEST, "invalid token request", ex.getMessage());
		}
		logger.info("Made a join token for node " + request.node() + " (services " + request.services() + ", valid "
				+ ttl + ")");
		return new TokenAnswer(token, request.node(), request.services(), Instant.now().plus(ttl));
	}

	@PostMapping(path = MeshApi.ENROL, produces = MediaType.APPLICATION_JSON_VALUE)
	Enrolment enrol(@RequestBody EnrolmentRequest request) {
		// the CSR first: a malformed one must not use up the token
		PublicKey key = csrKey(request.csr());
		JoinTokens.Grant grant;
		try {
			grant = tokens.redeem(request.token());
		}
		catch (JoinTokens.Refused ex) {
			logger.warn("Enrolment of node '" + request.node() + "' refused: " + ex.getMessage());
			throw new ApiRefusal(HttpStatus.UNAUTHORIZED, "invalid token", ex.getMessage());
		}
		if (!grant.node().equals(request.node())) {
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled",
					"the join token is for node '" + grant.node() + "', not '" + request.node() + "'; it is used up");
		}
		List<String> unentitled = request.services().stream().filter(s -> !grant.services().contains(s)).toList();
		if (!unentitled.isEmpty()) {
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled", "the join token does not entitle node '"
					+ grant.node() + "' to " + unentitled + " (it allows " + grant.services() + "); it is used up");
		}
		String domain = model.current().trustDomain(); // the model is its only source
		Map<String, String> certificates = new LinkedHashMap<>();
		Instant expires = null;
		List<URI> ids = new ArrayList<>();
		ids.add(URI.create("spiffe://" + domain + "/node/" + grant.node()));
		request.services().forEach(service -> ids.add(URI.create("spiffe://" + domain + "/svc/" + service)));
		for (URI id : ids) {
			X509Certificate certificate = id.getPath().startsWith("/node/")
					? ca.issueNode(key, id, svidTtl, grant.services()) : ca.issue(key, id, svidTtl);
			certificates.put(id.toString(), Pem.of(certificate));
			expires = certificate.getNotAfter().toInstant();
		}
		enrolled.increment(certificates.size());
		logger.info("Node " + grant.node() + " enrolled: " + certificates.keySet() + ", valid until " + expires);
		return new Enrolment(domain, certificates, ca.trustBundle(), expires);
	}

	/**
	 * Fresh copies of the identities a node shows: each certificate must be this CA's and valid now, and the CSR
	 * signed by the key they certify. 401 for a certificate that is not, 403 for a CSR of another key, 400 for a
	 * malformed one. Nothing is looked up: what a node may hold is what it was issued.
	 */
	@PostMapping(path = MeshApi.RENEW, produces = MediaType.APPLICATION_JSON_VALUE)
	Enrolment renew(@RequestBody RenewalRequest request, HttpServletRequest http) {
		PublicKey key = csrKey(request.csr());
		Caller.Node caller = (Caller.Node) Caller.of(http); // the filter admits nodes only
		if (!caller.certificate().getPublicKey().equals(key)) {
			throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled",
					"the CSR is not for the key of node '" + caller.name() + "', which is asking");
		}
		if (request.certificates().isEmpty() || request.certificates().size() > 65) {
			throw new ApiRefusal(HttpStatus.BAD_REQUEST, "invalid renewal", "send the 1 to 65 certificates to renew");
		}
		Map<String, String> renewed = new LinkedHashMap<>();
		Instant expires = null;
		for (String pem : request.certificates()) {
			X509Certificate current;
			try {
				current = Pem.certificates(pem).get(0);
				ca.verifyIssued(current);
			}
			catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
				throw new ApiRefusal(HttpStatus.UNAUTHORIZED, "invalid certificate",
						ex.getMessage() == null ? "not a PEM certificate" : ex.getMessage());
			}
			if (!current.getPublicKey().equals(key)) {
				throw new ApiRefusal(HttpStatus.FORBIDDEN, "not entitled",
						"the CSR is not for the key the certificate for " + Pem.spiffeId(current) + " certifies");
			}
			URI id = URI.create(Pem.spiffeId(current));
			X509Certificate fresh = id.getPath().startsWith("/node/")
					? ca.issueNode(key, id, svidTtl, Entitlements.of(current)) : ca.issue(key, id, svidTtl);
			renewed.put(id.toString(), Pem.of(fresh));
			expires = fresh.getNotAfter().toInstant();
		}
		String domain = URI.create(renewed.keySet().iterator().next()).getHost();
		renewedCertificates.increment(renewed.size());
		logger.info("Renewed " + renewed.keySet() + " until " + expires);
		return new Enrolment(domain, renewed, ca.trustBundle(), expires);
	}

	/** The CSR's key, once its signature verified; 400 {@code invalid csr} saying what is wrong with it. */
	private static PublicKey csrKey(String csr) {
		try {
			return CertificateAuthority.verifiedKey(csr);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiRefusal(HttpStatus.BAD_REQUEST, "invalid csr", ex.getMessage());
		}
	}

	@GetMapping(path = MeshApi.TRUST_BUNDLE, produces = "application/x-pem-file")
	String trustBundle() {
		return ca.trustBundle();
	}

	@ExceptionHandler
	ResponseEntity<ApiRefusal.ApiError> unreadable(HttpMessageNotReadableException ex) {
		return ApiRefusal.answer(HttpStatus.BAD_REQUEST, "unreadable request",
				"the body is not the JSON this endpoint takes");
	}
}
