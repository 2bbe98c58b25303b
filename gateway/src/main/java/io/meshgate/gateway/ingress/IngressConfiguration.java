package io.meshgate.gateway.ingress;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.client.ConfigSync;
import io.meshgate.proxy.relay.Http1Relay;
import io.meshgate.proxy.relay.UpstreamPool;
import reactor.netty.NettyPipeline;

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

	/** The relay's upstream connections; the connect timeout is the one of {@link #ingressProxy}. */
	@Bean(destroyMethod = "close")
	UpstreamPool ingressUpstreams(
			@Value("${spring.cloud.gateway.server.webflux.httpclient.connect-timeout:2000}") long connectTimeoutMillis) {
		return new UpstreamPool(Duration.ofMillis(connectTimeoutMillis), 256, Duration.ofSeconds(30));
	}

	/**
	 * Plain HTTP/1.1 requests for the model's routes take the relay, ahead of everything in reactor-netty (the same
	 * fast path as the agents'); the rest goes on to {@link IngressProxy}'s route, then Spring WebFlux.
	 */
	@Bean
	NettyServerCustomizer ingressRelay(IngressProxy proxy, UpstreamPool upstreams) {
		return server -> server.doOnChannelInit((observer, channel, remote) -> {
			if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
				channel.pipeline()
					.addBefore(NettyPipeline.HttpTrafficHandler, "meshgate.relay", new Http1Relay(proxy, upstreams));
			}
		});
	}
}
