package io.meshgate.controlplane.ca;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Join tokens: short-lived, single-use, each bound to one node name and the services that node may serve, kept only
 * as a hash of their secret. A token reads {@code mg1.<id>.<secret>.<fingerprint>}: the id finds it, the secret
 * proves it, and the fingerprint (the CA root's public key hash, as kubeadm's discovery hash) lets the node check
 * it reached this control plane before it sends anything. Kept in memory: a restart of the control plane voids the
 * tokens not used yet (fails closed; {@code bin/meshgate up} makes new ones each start).
 */
public final class JoinTokens {

	static final String PREFIX = "mg1";

	static final Duration MAX_TTL = Duration.ofHours(24);

	/** What a token entitles its node to. */
	public record Grant(String node, List<String> services, Instant expiresAt) {

		public Grant {
			services = List.copyOf(services);
		}
	}

	/** Why a token was refused; never says whether a token id exists but its secret was wrong. */
	public static final class Refused extends RuntimeException {

		Refused(String message) {
			super(message);
		}
	}

	private record Stored(byte[] secretHash, Grant grant) {
	}

	private final Map<String, Stored> tokens = new ConcurrentHashMap<>();

	/** The fingerprint new tokens pin: the signing root's, read per token (a CA rotation changes it). */
	private final java.util.function.Supplier<String> fingerprint;

	/** Whether a token's pinned root is still trusted (through a rotation, the old root's tokens too). */
	private final java.util.function.Predicate<String> trusted;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	public JoinTokens(String fingerprint, Clock clock) {
		this(() -> fingerprint, fingerprint::equals, clock);
	}

	public JoinTokens(java.util.function.Supplier<String> fingerprint, java.util.function.Predicate<String> trusted,
			Clock clock) {
		this.fingerprint = fingerprint;
		this.trusted = trusted;
		this.clock = clock;
	}

	/** A new token for {@code node}; its text is shown once and never stored. */
	public String create(String node, List<String> services, Duration ttl) {
		if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
			throw new IllegalArgumentException("ttl: " + ttl + " is not between 1 s and " + MAX_TTL.toHours() + " h");
		}
		sweep();
		String id = randomText(6);
		String secret = randomText(32);
		tokens.put(id, new Stored(hash(secret), new Grant(node, services, clock.instant().plus(ttl))));
		return PREFIX + "." + id + "." + secret + "." + fingerprint.get().substring("sha256:".length());
	}

	/**
	 * The grant of a valid token, which is used up by this call.
	 * @throws Refused when the token is malformed, unknown, already used, forged, expired or for another CA
	 */
	public Grant redeem(String token) {
		String[] parts = token == null ? new String[0] : token.trim().split("\\.");
		if (parts.length != 4 || !PREFIX.equals(parts[0])) {
			throw new Refused("the join token is malformed (expected mg1.<id>.<secret>.<fingerprint>)");
		}
		if (!trusted.test("sha256:" + parts[3])) {
			throw new Refused("the join token was made for another control plane (its CA fingerprint differs)");
		}
		Stored stored = tokens.get(parts[1]);
		if (stored == null || !MessageDigest.isEqual(stored.secretHash(), hash(parts[2]))) {
			throw new Refused("unknown, forged or already used join token");
		}
		if (!tokens.remove(parts[1], stored)) {
			throw new Refused("unknown, forged or already used join token"); // another enrolment took it first
		}
		if (clock.instant().isAfter(stored.grant().expiresAt())) {
			throw new Refused("the join token expired at " + stored.grant().expiresAt());
		}
		return stored.grant();
	}

	/** Tokens not used yet. */
	public int outstanding() {
		sweep();
		return tokens.size();
	}

	private void sweep() {
		Instant now = clock.instant();
		tokens.values().removeIf(stored -> now.isAfter(stored.grant().expiresAt()));
	}

	private String randomText(int bytes) {
		byte[] value = new byte[bytes];
		random.nextBytes(value);
		// base64url without '.', the token's separator
		return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
	}

	private static byte[] hash(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
