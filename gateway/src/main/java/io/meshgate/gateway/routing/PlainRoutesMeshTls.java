package io.meshgate.gateway.routing;

import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.meshgate.proxy.tls.MeshTls;

/**
 * The plain Spring Cloud Gateway routes ({@code gateway.yml}) reach the mesh's services ({@code lb://<service>}) at
 * the nodes' inbound listeners, which take mutual TLS: Spring Cloud Gateway's HTTP client gets a TLS context that is
 * mutual TLS, as {@code svc/gateway}, with a node of the mesh, and the JDK's trust store with host name checks with
 * any other HTTPS server. It replaces Spring Cloud Gateway's own {@code httpclient.ssl} settings.
 */
@Configuration(proxyBeanMethods = false)
class PlainRoutesMeshTls {

	@Bean
	HttpClientCustomizer meshTlsForPlainRoutes(MeshTls meshTls) {
		return client -> client.secure(spec -> spec.sslContext(meshTls.meshOrPublicClient()));
	}
}
