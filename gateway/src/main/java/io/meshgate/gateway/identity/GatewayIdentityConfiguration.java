package io.meshgate.gateway.identity;

import java.time.Clock;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.client.identity.Identities;
import io.meshgate.client.identity.JoinToken;
import io.meshgate.client.spring.MeshClientProperties;

/**
 * The gateway's identity in the mesh, {@code spiffe://<trust-domain>/svc/gateway} (with its node identity
 * {@code node/gateway}), enrolled like an agent's with a join token for node {@code gateway} and service
 * {@code gateway} ({@code MESHGATE_GATEWAY_JOIN_TOKEN}, or a file named by {@code MESHGATE_GATEWAY_JOIN_TOKEN_FILE}),
 * kept in {@code <data-dir>/gateway/identity}.
 */
@Configuration(proxyBeanMethods = false)
class GatewayIdentityConfiguration {

	static final String NODE = GatewayIdentity.SERVICE;

	@Bean(destroyMethod = "close")
	Identities gatewayIdentities(MeshClientProperties client, @Value("${meshgate.gateway.join-token:}") String token,
			@Value("${meshgate.gateway.join-token-file:}") String tokenFile,
			io.micrometer.core.instrument.MeterRegistry registry) {
		JoinToken joinToken = JoinToken.fromSettings("meshgate.gateway", token, tokenFile);
		return new Identities(client.dataDir().resolve(NODE).resolve("identity"), joinToken, NODE,
				List.of(GatewayIdentity.SERVICE),
				client.controlPlane().uri(), client.controlPlane().timeout(), Clock.systemUTC())
			.bindTo(registry)
			.start();
	}
}
