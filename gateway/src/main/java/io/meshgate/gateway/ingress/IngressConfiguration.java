package io.meshgate.gateway.ingress;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.client.ConfigSync;
import io.meshgate.proxy.core.ForwardedHeaders;
import io.meshgate.proxy.core.ListenerPolicy;
import io.meshgate.proxy.core.PathNormaliser;
import io.meshgate.proxy.metrics.GoldenMetrics;
import io.meshgate.client.identity.Identities;
import io.meshgate.gateway.identity.GatewayIdentity;
import io.meshgate.proxy.tls.MeshTls;
import io.meshgate.proxy.tls.UpstreamTls;
import io.meshgate.proxy.transport.H2cUpgradeRefusal;
import io.meshgate.proxy.transport.Http10Framing;
import io.meshgate.proxy.transport.limits.ListenerGuard;
import io.meshgate.proxy.transport.limits.ListenerLimits;
import io.meshgate.proxy.transport.limits.UpstreamLimits;
import io.meshgate.proxy.transport.relay.Http1Relay;
import io.meshgate.proxy.transport.relay.UpstreamPool;
import io.meshgate.gateway.ratelimit.RedisBuckets;
import io.meshgate.proxy.telemetry.ProxyTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.meshgate.proxy.authn.JwtSteps;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.LoopResources;

@Configuration(proxyBeanMethods = false)
class IngressConfiguration {

	/** The same metric family as the agents', on the gateway's {@code /actuator/prometheus}. */
	@Bean
	GoldenMetrics goldenMetrics(MeterRegistry registry) {
		return new GoldenMetrics(registry);
	}

	/** Spans and access log lines of the model's routes, set by {@code mesh.telemetry}. */
	@Bean(destroyMethod = "close")
	ProxyTelemetry proxyTelemetry(MeterRegistry registry) {
		return new ProxyTelemetry("gateway", registry);
	}

	/** Trust for {@code https://} static endpoints: a PEM file of CA certificates, else the JDK's trust store. */
	@Bean
	UpstreamTls upstreamTls(@Value("${meshgate.gateway.upstream-trust-certificates:#{null}}") Path trust,
			MeterRegistry registry) {
		return UpstreamTls.of(trust).countingIn(registry);
	}

	/**
	 * The edge's rules: {@code encoded-slashes} {@code refuse} (400, the default) or {@code pass}; forwarded headers
	 * set from the connection, a caller's own believed only from {@code trusted-proxies} (addresses or networks).
	 */
	/** Where global rate limits keep their buckets: the Redis of {@code mesh.rate-limiting}, followed on commit. */
	@Bean(destroyMethod = "close")
	RedisBuckets redisBuckets() {
		return new RedisBuckets();
	}

	@Bean
	IngressState ingressState(ConfigSync sync, GoldenMetrics metrics, ProxyTelemetry telemetry, RedisBuckets buckets,
			@Value("${meshgate.gateway.encoded-slashes:refuse}") String encodedSlashes,
			@Value("${meshgate.gateway.trusted-proxies:}") java.util.List<String> trustedProxies,
			@Value("${meshgate.gateway.via:true}") boolean via) {
		PathNormaliser.EncodedSlashes mode;
		try {
			mode = PathNormaliser.EncodedSlashes.valueOf(encodedSlashes.trim().toUpperCase(java.util.Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("meshgate.gateway.encoded-slashes: '" + encodedSlashes
					+ "' is not one of refuse, pass", ex);
		}
		return new IngressState(sync, metrics,
				new ListenerPolicy(new PathNormaliser(mode), ForwardedHeaders.edge(trustedProxies), via),
				new JwtSteps(HttpClient.create().followRedirect(false)), telemetry, buckets);
	}

	/** Connections to one endpoint and requests waiting for one, at most, on both transports. */
	@Bean
	UpstreamLimits upstreamLimits(@Value("${meshgate.gateway.max-connections-per-endpoint:1024}") int connections,
			@Value("${meshgate.gateway.max-pending-per-endpoint:1024}") int pending) {
		return new UpstreamLimits(connections, pending);
	}

	/** Deadlines and connection cap of the gateway's port and its management port, as every agent listener has. */
	@Bean
	ListenerLimits listenerLimits(@Value("${meshgate.gateway.header-timeout:10s}") Duration headerTimeout,
			@Value("${meshgate.gateway.idle-timeout:60s}") Duration idleTimeout,
			@Value("${meshgate.gateway.max-connections:10000}") int maxConnections) {
		return new ListenerLimits(headerTimeout, idleTimeout, maxConnections);
	}

	@Bean
	ListenerGuard gatewayListener(MeterRegistry registry, ListenerLimits limits) {
		return new ListenerGuard("gateway", limits, registry);
	}

	/**
	 * Mutual TLS to the nodes' inbound listeners: the gateway calls as {@code spiffe://<td>/svc/gateway} and accepts
	 * a node of the mesh. It has no inbound listener of the mesh, so the server side is never used.
	 */
	@Bean
	MeshTls meshTls(Identities identities, MeterRegistry registry) {
		return MeshTls.of(identities::nodeSvid, () -> identities.serviceSvid(GatewayIdentity.SERVICE),
				identities::trustBundle, registry);
	}

	/** Its connect timeout is the one plain routes get from Spring Cloud Gateway's HTTP client settings. */
	@Bean
	IngressProxy ingressProxy(IngressState state, UpstreamTls tls, MeshTls meshTls, UpstreamLimits limits,
			@Value("${spring.cloud.gateway.server.webflux.httpclient.connect-timeout:2000}") long connectTimeoutMillis) {
		return new IngressProxy(state, Duration.ofMillis(connectTimeoutMillis), tls, meshTls, limits);
	}

	/**
	 * The relay's upstream connections; the connect timeout is the one of {@link #ingressProxy}. It runs on
	 * reactor-netty's shared event loops (Spring Boot's server does), which share the limits.
	 */
	@Bean(destroyMethod = "close")
	UpstreamPool ingressUpstreams(UpstreamTls tls, MeshTls meshTls, UpstreamLimits limits,
			@Value("${spring.cloud.gateway.server.webflux.httpclient.connect-timeout:2000}") long connectTimeoutMillis) {
		return new UpstreamPool(Duration.ofMillis(connectTimeoutMillis), 256, Duration.ofSeconds(30), tls, meshTls,
				limits,
				LoopResources.DEFAULT_IO_WORKER_COUNT);
	}

	/**
	 * Plain HTTP/1.1 requests for the model's routes take the relay, ahead of everything in reactor-netty (the same
	 * fast path as the agents'); the rest goes on to {@link IngressProxy}'s route, then Spring WebFlux.
	 */
	@Bean
	NettyServerCustomizer ingressRelay(IngressState state, UpstreamPool upstreams, ListenerGuard guard) {
		return server -> server.doOnChannelInit((observer, channel, remote) -> {
			if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
				H2cUpgradeRefusal.install(channel);
				Http10Framing.install(channel);
				channel.pipeline()
					.addBefore(NettyPipeline.HttpTrafficHandler, "meshgate.relay",
							new Http1Relay(state::pipeline, upstreams));
			}
			guard.install(channel);
		});
	}
}
