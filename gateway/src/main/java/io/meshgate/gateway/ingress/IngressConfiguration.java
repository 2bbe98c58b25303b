package io.meshgate.gateway.ingress;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.client.ConfigSync;

@Configuration(proxyBeanMethods = false)
class IngressConfiguration {

	@Bean
	IngressState ingressState(ConfigSync sync) {
		return new IngressState(sync);
	}

	/** Its connect timeout is the one plain routes get from Spring Cloud Gateway's HTTP client settings. */
	@Bean
	IngressProxy ingressProxy(IngressState state,
			@Value("${spring.cloud.gateway.server.webflux.httpclient.connect-timeout:2000}") long connectTimeoutMillis) {
		return new IngressProxy(state, Duration.ofMillis(connectTimeoutMillis));
	}
}
