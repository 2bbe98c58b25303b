package io.meshgate.client.identity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import io.meshgate.model.protocol.EnrolmentRequest;
import io.meshgate.model.identity.Fingerprints;
import io.meshgate.model.identity.Pem;
import io.meshgate.model.protocol.MeshApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enrols a node once: makes its key (EC P-256, never sent), checks that the control plane's CA root is the one its
 * join token pins, trades the token and a CSR for SVIDs, and checks each of them (its own key, a path to the pinned
 * root, the SPIFFE ID asked for) before it keeps them. So an impostor on the path can neither pass as the control
 * plane nor hand the node certificates the mesh would not accept. Blocking; not on an event loop.
 */
public final class Enroller {

	/** The control plane said no (a bad, used or expired token; an identity it does not entitle): do not retry. */
	public static final class Refused extends Exception {

		public Refused(String message) {
			super(message);
		}
	}

	private final URI base;

	private final Duration timeout;

	/** Authenticated as the node (its node SVID), for renewals. */
	private final HttpClient http;

	private final JsonMapper json = JsonMapper.builder().build();

	/** @param mutualTls a client presenting the node's SVID (see {@link ControlPlaneTls}) */
	public Enroller(URI controlPlane, Duration timeout, HttpClient mutualTls) {
		this.base = URI.create(controlPlane.toString().replaceAll("/+$", ""));
		this.timeout = timeout;
		this.http = mutualTls;
	}

	/**
	 * @throws Refused     the control plane refused, or is not the one the token was made for
	 * @throws IOException it could not be reached or answered with a server error (worth retrying)
	 */
	public NodeIdentity enrol(JoinToken token, String node, List<String> services)
			throws Refused, IOException, InterruptedException {
		PinnedRootTrustManager pin = new PinnedRootTrustManager(token.fingerprint());
		HttpClient firstContact = ControlPlaneTls.client(pinnedContext(pin), timeout);
		X509Certificate root = pinnedRoot(firstContact, token);
		KeyPair key = keyPair();
		String csr = csr(node, key);
		HttpResponse<String> answer = firstContact.send(HttpRequest.newBuilder(URI.create(base + MeshApi.ENROL))
			.timeout(timeout)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(
					json.writeValueAsString(new EnrolmentRequest(token.text(), node, services, csr))))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (answer.statusCode() >= 400 && answer.statusCode() < 500) {
			JsonNode refusal = readOrNull(answer.body());
			throw new Refused("the control plane refused the enrolment of node '" + node + "' ("
					+ answer.statusCode() + "): " + (refusal == null ? answer.body() : refusal.path("message").asString()));
		}
		if (answer.statusCode() != 200) {
			throw new IOException("POST " + MeshApi.ENROL + " answered " + answer.statusCode());
		}
		List<String> expected = new ArrayList<>();
		JsonNode enrolment = json.readTree(answer.body());
		String domain = enrolment.path("trustDomain").asString();
		expected.add("spiffe://" + domain + "/node/" + node);
		services.forEach(service -> expected.add("spiffe://" + domain + "/svc/" + service));
		return new NodeIdentity(key.getPrivate(), checked(enrolment, expected, key.getPublic(), List.of(root)),
				bundle(enrolment, root));
	}

	/**
	 * Fresh copies of the identities a node holds, for the same key, checked like an enrolment's against the root
	 * pinned at enrolment.
	 */
	public NodeIdentity renew(NodeIdentity current) throws Refused, IOException, InterruptedException {
		java.security.PublicKey publicKey = current.svids().values().iterator().next().getPublicKey();
		String csr = csr("renewal", new KeyPair(publicKey, current.key()));
		List<String> certificates = current.svids().values().stream().map(Pem::of).toList();
		HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + MeshApi.RENEW))
			.timeout(timeout)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(
					json.writeValueAsString(new io.meshgate.model.protocol.RenewalRequest(certificates, csr))))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (answer.statusCode() >= 400 && answer.statusCode() < 500) {
			JsonNode refusal = readOrNull(answer.body());
			throw new Refused("the control plane refused to renew " + current.svids().keySet() + " ("
					+ answer.statusCode() + "): " + (refusal == null ? answer.body() : refusal.path("message").asString()));
		}
		if (answer.statusCode() != 200) {
			throw new IOException("POST " + MeshApi.RENEW + " answered " + answer.statusCode());
		}
		JsonNode renewal = json.readTree(answer.body());
		// the answer came over the channel this node checked against its roots: its bundle is the CA's now (after a
		// rotation's activation the renewed certificates chain to the new root, which the bundle holds)
		List<X509Certificate> roots = bundle(renewal, null);
		if (roots.isEmpty()) {
			roots = current.trustBundle();
		}
		return new NodeIdentity(current.key(), checked(renewal, new ArrayList<>(current.svids().keySet()), publicKey,
				roots), roots);
	}

	/**
	 * The roots an answer carries, if they are CA certificates and include {@code required} (the pinned root at
	 * enrolment); else just {@code required} (or none without one).
	 */
	private static List<X509Certificate> bundle(JsonNode answer, X509Certificate required) {
		List<X509Certificate> fallback = required == null ? List.of() : List.of(required);
		String pem = answer.path("trustBundle").asString(null);
		if (pem == null || pem.isBlank()) {
			return fallback;
		}
		try {
			List<X509Certificate> roots = Pem.certificates(pem);
			boolean usable = !roots.isEmpty() && roots.stream().allMatch(root -> root.getBasicConstraints() >= 0)
					&& (required == null || roots.contains(required));
			return usable ? List.copyOf(roots) : fallback;
		}
		catch (RuntimeException ex) {
			return fallback;
		}
	}

	/** Each certificate asked for, each for this node's key, with its SPIFFE ID, on a path to the pinned root. */
	private static Map<String, X509Certificate> checked(JsonNode answer, List<String> expected,
			java.security.PublicKey key, List<X509Certificate> roots) throws Refused {
		Map<String, X509Certificate> svids = new LinkedHashMap<>();
		for (String id : expected) {
			String pem = answer.path("certificates").path(id).asString(null);
			if (pem == null) {
				throw new Refused("the control plane's answer has no certificate for " + id);
			}
			X509Certificate svid = Pem.certificates(pem).get(0);
			verify(svid, id, key, roots);
			svids.put(id, svid);
		}
		return svids;
	}

	private static javax.net.ssl.SSLContext pinnedContext(PinnedRootTrustManager pin) {
		try {
			javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
			context.init(null, new javax.net.ssl.TrustManager[] { pin }, null);
			return context;
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The CA root, if its fingerprint is the token's: the TLS handshake already refuses a control plane whose chain
	 * does not include it, and the bundle it then serves must hold it too.
	 */
	private X509Certificate pinnedRoot(HttpClient firstContact, JoinToken token)
			throws Refused, IOException, InterruptedException {
		HttpResponse<String> bundle;
		try {
			bundle = firstContact.send(HttpRequest.newBuilder(URI.create(base + MeshApi.TRUST_BUNDLE))
				.timeout(timeout)
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (javax.net.ssl.SSLHandshakeException ex) {
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause instanceof PinnedRootTrustManager.PinMismatch mismatch) {
					throw new Refused("the control plane at " + base + " is not the one the join token was made for: "
							+ mismatch.getMessage());
				}
			}
			throw ex;
		}
		if (bundle.statusCode() != 200) {
			throw new IOException("GET " + MeshApi.TRUST_BUNDLE + " answered " + bundle.statusCode());
		}
		for (X509Certificate root : Pem.certificates(bundle.body())) {
			if (Fingerprints.of(root).equals(token.fingerprint())) {
				return root;
			}
		}
		throw new Refused("the control plane at " + base + " is not the one the join token was made for: its CA is "
				+ Pem.certificates(bundle.body()).stream().map(Fingerprints::of).toList() + ", the token pins "
				+ token.fingerprint());
	}

	private static void verify(X509Certificate svid, String id, java.security.PublicKey key,
			List<X509Certificate> roots) throws Refused {
		if (!svid.getPublicKey().equals(key)) {
			throw new Refused("the certificate for " + id + " is not for this node's key");
		}
		if (!id.equals(Pem.spiffeId(svid))) {
			throw new Refused("the certificate for " + id + " names " + Pem.spiffeId(svid));
		}
		try {
			Set<TrustAnchor> anchors = new java.util.HashSet<>();
			roots.forEach(root -> anchors.add(new TrustAnchor(root, null)));
			PKIXParameters pkix = new PKIXParameters(anchors);
			pkix.setRevocationEnabled(false);
			CertPathValidator.getInstance("PKIX")
				.validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(svid)), pkix);
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new Refused("the certificate for " + id + " does not chain to the CA's roots: " + ex.getMessage());
		}
	}

	private static KeyPair keyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			return generator.generateKeyPair();
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String csr(String node, KeyPair key) {
		try {
			return Pem.of(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + node), key.getPublic())
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
		}
		catch (org.bouncycastle.operator.OperatorCreationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private JsonNode readOrNull(String body) {
		try {
			return json.readTree(body);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}
}
