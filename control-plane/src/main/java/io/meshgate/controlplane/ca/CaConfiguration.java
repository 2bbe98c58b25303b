package io.meshgate.controlplane.ca;

import java.nio.file.Path;
import java.time.Clock;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The CA, the join tokens and the operator's secret, under {@code <data-dir>/control-plane/ca}. An operator's own
 * root: {@code MESHGATE_CA_CERTIFICATE} and {@code MESHGATE_CA_KEY} (PEM files).
 */
@Configuration(proxyBeanMethods = false)
class CaConfiguration {

	@Bean
	CertificateAuthority certificateAuthority(@Value("${meshgate.data-dir}") Path dataDir,
			@Value("${meshgate.control-plane.ca.certificate:#{null}}") Path certificate,
			@Value("${meshgate.control-plane.ca.key:#{null}}") Path key) {
		return CertificateAuthority.load(dataDir.resolve("control-plane/ca"), certificate, key, Clock.systemUTC());
	}

	@Bean
	JoinTokens joinTokens(CertificateAuthority ca) {
		return new JoinTokens(ca::fingerprint, ca::trusts, Clock.systemUTC());
	}

	@Bean
	OperatorSecret operatorSecret(@Value("${meshgate.data-dir}") Path dataDir,
			@Value("${meshgate.control-plane.operator-secret:}") String given) {
		return OperatorSecret.load(given, dataDir.resolve("control-plane/operator.secret"));
	}
}
