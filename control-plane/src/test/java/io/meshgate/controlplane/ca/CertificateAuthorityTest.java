package io.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.meshgate.controlplane.MutableClock;
import io.meshgate.model.identity.Pem;

class CertificateAuthorityTest {

	@TempDir
	Path dir;

	private final Clock clock = Clock.systemUTC();

	@Test
	void aRestartKeepsTheRootItMadeAtFirstStart() {
		CertificateAuthority first = CertificateAuthority.load(dir, null, null, clock);
		CertificateAuthority again = CertificateAuthority.load(dir, null, null, clock);
		assertThat(again.fingerprint()).isEqualTo(first.fingerprint()).matches("sha256:[0-9a-f]{64}");
	}

	@Test
	void anOperatorsOwnRootIsUsedAsGivenAndNotRotatedHere() throws Exception {
		CertificateAuthority made = CertificateAuthority.generate(clock);
		Path certificate = dir.resolve("operator.crt");
		Path key = dir.resolve("operator.key");
		Files.writeString(certificate, Pem.of(made.root()));
		Files.writeString(key, pkcs8(made)); // as `openssl genpkey` writes it: "PRIVATE KEY"
		CertificateAuthority given = CertificateAuthority.load(dir.resolve("unused"), certificate, key, clock);
		assertThat(given.fingerprint()).isEqualTo(made.fingerprint());
		assertThat(Files.exists(dir.resolve("unused/ca.key"))).isFalse();
		var svid = given.issue(EnrolmentApiTest.keyPair().getPublic(), URI.create("spiffe://td/svc/a"), Duration.ofHours(1));
		svid.verify(made.root().getPublicKey());
		assertThatThrownBy(() -> given.rotate(Duration.ZERO, Duration.ofHours(1)))
			.as("an operator's own root is not rotated here")
			.hasMessageContaining("the operator's own");
	}

	@Test
	void aHalfGivenOrWrongRootStopsTheStartNamingIt() throws Exception {
		assertThatThrownBy(() -> CertificateAuthority.load(dir, dir.resolve("ca.crt"), null, clock))
			.hasMessageContaining("give both certificate and key");
		CertificateAuthority made = CertificateAuthority.generate(clock);
		var leaf = made.issue(EnrolmentApiTest.keyPair().getPublic(), URI.create("spiffe://td/svc/a"), Duration.ofHours(1));
		Path notCa = dir.resolve("leaf.crt");
		Files.writeString(notCa, Pem.of(leaf));
		Path key = dir.resolve("ca.key");
		Files.writeString(key, pkcs8(made));
		assertThatThrownBy(() -> CertificateAuthority.load(dir, notCa, key, clock))
			.hasMessageContaining("leaf.crt: not a CA certificate");
		Path missing = dir.resolve("missing.crt");
		assertThatThrownBy(() -> CertificateAuthority.load(dir, missing, key, clock))
			.hasMessageContaining("missing.crt");
	}

	@Test
	void aTokenIsRefusedWhenExpiredMalformedOrForAnotherControlPlane() {
		Instant start = Instant.parse("2026-11-30T10:00:00Z");
		MutableClock moving = new MutableClock(start);
		String fingerprint = "sha256:" + "ab".repeat(32);
		JoinTokens tokens = new JoinTokens(fingerprint, moving);
		String token = tokens.create("node-a", List.of("orders"), Duration.ofMinutes(10));
		moving.advance(Duration.ofMinutes(11));
		assertThatThrownBy(() -> tokens.redeem(token)).hasMessageContaining("expired at 2026-11-30T10:10:00Z");
		assertThatThrownBy(() -> tokens.redeem("mg1.abc")).hasMessageContaining("malformed");
		String other = new JoinTokens("sha256:" + "cd".repeat(32), moving).create("node-a", List.of(), Duration.ofMinutes(1));
		assertThatThrownBy(() -> tokens.redeem(other)).hasMessageContaining("another control plane");
		assertThatThrownBy(() -> tokens.create("node-a", List.of(), Duration.ofHours(25))).hasMessageContaining("ttl");
		assertThat(tokens.redeem(tokens.create("node-b", List.of("a"), Duration.ofMinutes(1))).node()).isEqualTo("node-b");
		assertThat(tokens.outstanding()).isZero();
	}

	private static String pkcs8(CertificateAuthority ca) throws Exception {
		return Pem.of(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(privateKey(ca), null).generate());
	}

	private static java.security.PrivateKey privateKey(CertificateAuthority ca) {
		return ca.roots().signing().key();
	}

	@Test
	void aRotationTrustsTheNewRootFirstThenSignsWithItThenDropsTheOldOne() throws Exception {
		MutableClock hands = new MutableClock(Instant.now());
		CertificateAuthority ca = CertificateAuthority.load(dir, null, null, hands);
		java.security.cert.X509Certificate old = ca.root();
		var oldSvid = ca.issue(EnrolmentApiTest.keyPair().getPublic(), URI.create("spiffe://td/svc/a"), Duration.ofHours(1));
		List<CertificateAuthority.Change> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
		ca.addListener(changes::add);

		ca.rotate(Duration.ofMinutes(1), Duration.ofHours(1));
		assertThat(ca.trustedRoots()).hasSize(2).startsWith(old);
		assertThat(ca.root()).as("still signing with the old root while the new one propagates").isEqualTo(old);
		assertThatThrownBy(() -> ca.rotate(Duration.ZERO, Duration.ofHours(1))).hasMessageContaining("under way");
		java.security.cert.X509Certificate next = ca.trustedRoots().get(1);
		assertThat(ca.trusts(io.meshgate.model.identity.Fingerprints.of(next))).isTrue();

		hands.advance(Duration.ofSeconds(59));
		assertThat(ca.advance()).isEqualTo(CertificateAuthority.Change.NONE);
		hands.advance(Duration.ofSeconds(1));
		assertThat(ca.advance()).isEqualTo(CertificateAuthority.Change.ACTIVATED);
		assertThat(ca.root()).isEqualTo(next);
		assertThat(ca.trustedRoots()).containsExactly(next, old);
		var newSvid = ca.issue(EnrolmentApiTest.keyPair().getPublic(), URI.create("spiffe://td/svc/a"), Duration.ofHours(1));
		newSvid.verify(next.getPublicKey());
		ca.verifyIssued(oldSvid); // the old root's certificates still count through the overlap
		ca.verifyIssued(newSvid);
		assertThat(ca.fingerprint()).as("new join tokens pin the new root").isEqualTo(
				io.meshgate.model.identity.Fingerprints.of(next));

		// a restart in the overlap reads the same roots
		CertificateAuthority restarted = CertificateAuthority.load(dir, null, null, hands);
		assertThat(restarted.trustedRoots()).containsExactly(next, old);

		hands.advance(Duration.ofHours(1));
		assertThat(ca.advance()).isEqualTo(CertificateAuthority.Change.RETIRED);
		assertThat(ca.trustedRoots()).containsExactly(next);
		assertThatThrownBy(() -> ca.verifyIssued(oldSvid)).hasMessageContaining("not issued by this control plane");
		assertThat(changes).containsExactly(CertificateAuthority.Change.PREPARED, CertificateAuthority.Change.ACTIVATED,
				CertificateAuthority.Change.RETIRED);
		assertThat(CertificateAuthority.load(dir, null, null, hands).trustedRoots()).containsExactly(next);
		assertThat(Files.exists(dir.resolve("ca-previous.crt"))).isFalse();
		assertThat(Pem.certificates(Files.readString(dir.resolve("ca.crt")))).containsExactly(next);
	}

	@Test
	void aRestartWhilePreparingOrActivatingCarriesOn() throws Exception {
		MutableClock hands = new MutableClock(Instant.now());
		CertificateAuthority ca = CertificateAuthority.load(dir, null, null, hands);
		java.security.cert.X509Certificate old = ca.root();
		ca.rotate(Duration.ofMinutes(1), Duration.ofHours(1));
		java.security.cert.X509Certificate next = ca.trustedRoots().get(1);

		CertificateAuthority preparing = CertificateAuthority.load(dir, null, null, hands);
		assertThat(preparing.trustedRoots()).containsExactly(old, next);
		assertThat(preparing.root()).isEqualTo(old);

		// down through the activation time: the start activates
		hands.advance(Duration.ofMinutes(2));
		CertificateAuthority late = CertificateAuthority.load(dir, null, null, hands);
		assertThat(late.root()).isEqualTo(next);
		assertThat(late.trustedRoots()).containsExactly(next, old);

		// stopped half-way through an activation: ca.crt is the new root, the phase file still says "prepared"
		Path other = dir.resolve("other");
		Files.createDirectories(other);
		CertificateAuthority second = CertificateAuthority.load(other, null, null, hands);
		java.security.cert.X509Certificate secondOld = second.root();
		second.rotate(Duration.ofMinutes(1), Duration.ofHours(1));
		java.security.cert.X509Certificate secondNext = second.trustedRoots().get(1);
		Files.writeString(other.resolve("ca-previous.crt"), Pem.of(secondOld));
		Files.copy(other.resolve("ca-next.crt"), other.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		Files.copy(other.resolve("ca-next.key"), other.resolve("ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		CertificateAuthority resumed = CertificateAuthority.load(other, null, null, hands);
		assertThat(resumed.root()).isEqualTo(secondNext);
		assertThat(resumed.trustedRoots()).containsExactly(secondNext, secondOld);
	}
}
