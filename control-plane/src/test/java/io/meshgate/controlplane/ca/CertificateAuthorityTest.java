package io.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
	void anOperatorsOwnRootIsUsedAsGiven() throws Exception {
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
		Clock[] now = { Clock.fixed(start, ZoneOffset.UTC) };
		Clock moving = new Clock() {
			@Override
			public ZoneOffset getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(java.time.ZoneId zone) {
				return this;
			}

			@Override
			public Instant instant() {
				return now[0].instant();
			}
		};
		String fingerprint = "sha256:" + "ab".repeat(32);
		JoinTokens tokens = new JoinTokens(fingerprint, moving);
		String token = tokens.create("node-a", List.of("orders"), Duration.ofMinutes(10));
		now[0] = Clock.fixed(start.plus(Duration.ofMinutes(11)), ZoneOffset.UTC);
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

	private static java.security.PrivateKey privateKey(CertificateAuthority ca) throws Exception {
		var field = CertificateAuthority.class.getDeclaredField("key");
		field.setAccessible(true);
		return (java.security.PrivateKey) field.get(ca);
	}
}
