package io.meshgate.management;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

import io.meshgate.proxy.transport.limits.ListenerGuard;
import io.meshgate.proxy.transport.limits.ListenerLimits;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The management port's server lives in its own child context, on a factory Spring Boot makes there of the main
 * server factory's class, which takes none of the main context's {@link NettyServerCustomizer}s, only the child's
 * factory customizers: this one gives it the same deadlines and connection cap as the gateway's port (metrics label
 * {@code listener="management"}). The limits and the registry are the main context's.
 * <p>
 * Outside {@code io.meshgate.gateway} on purpose: the application's component scan would also load it into the main
 * context, and give the gateway's port this guard.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class ManagementListenerConfiguration {

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> managementListenerGuard(ListenerLimits limits,
			MeterRegistry registry) {
		ListenerGuard guard = new ListenerGuard("management", limits, registry);
		NettyServerCustomizer install = server -> server
			.doOnChannelInit((observer, channel, remote) -> guard.install(channel));
		return factory -> factory.addServerCustomizers(install);
	}
}
