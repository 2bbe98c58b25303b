package io.meshgate.agent.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import io.meshgate.agent.AgentProperties;
import io.meshgate.agent.ProxyListeners;
import io.meshgate.agent.workload.WorkloadHealth;
import io.meshgate.client.AppliedConfig;
import io.meshgate.client.ConfigHealth;
import io.meshgate.client.ConfigSync;
import io.meshgate.client.MeshStatus;
import io.meshgate.client.registry.RegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin port, with Spring Boot actuator's paths and shapes so tools and scrapers treat agent and gateway alike:
 * {@code /actuator/health} (503 unless UP), {@code /actuator/info}, {@code /actuator/prometheus},
 * {@code /actuator/mesh}.
 */
public final class AdminServer {

	private static final String JSON = "application/json";

	private final AgentProperties properties;

	private final ConfigSync sync;

	private final RegistryClient registry;

	private final WorkloadHealth workloads;

	private final ProxyListeners listeners;

	private final AgentStatus status;

	private final PrometheusMeterRegistry metrics;

	private final JsonMapper json = JsonMapper.builder().build();

	private DisposableServer server;

	public AdminServer(AgentProperties properties, ConfigSync sync, RegistryClient registry, WorkloadHealth workloads,
			ProxyListeners listeners, AgentStatus status, PrometheusMeterRegistry metrics) {
		this.properties = properties;
		this.sync = sync;
		this.registry = registry;
		this.workloads = workloads;
		this.listeners = listeners;
		this.status = status;
		this.metrics = metrics;
	}

	public AdminServer start() {
		server = HttpServer.create()
			.runOn(listeners.loops())
			.doOnChannelInit((observer, channel, remote) -> listeners.adminGuard().install(channel))
			.host(properties.adminBind())
			.port(properties.adminPort())
			.route(routes -> routes.get("/actuator/health", (request, response) -> health(response))
				.get("/actuator/info", (request, response) -> json(response, HttpResponseStatus.OK, info()))
				.get("/actuator/mesh", (request, response) -> json(response, HttpResponseStatus.OK,
						MeshStatus.of(sync.state(), Map.of("agent", status.status()))))
				.get("/actuator/prometheus", (request, response) -> response
					.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
					.sendString(Mono.fromSupplier(metrics::scrape)))
				.get("/actuator", (request, response) -> json(response, HttpResponseStatus.OK, links())))
			.bindNow();
		return this;
	}

	public int port() {
		return server.port();
	}

	public void stop() {
		if (server != null) {
			server.disposeNow();
		}
	}

	private Mono<Void> health(HttpServerResponse response) {
		ConfigHealth config = ConfigHealth.of(sync.state());
		boolean serving = listeners.isRunning();
		Map<String, Object> registration = new LinkedHashMap<>();
		// not registered is not unhealthy: the node keeps serving while the control plane is away
		registration.put("registered", registry.registered());
		registration.put("workloads", workloads.healthy());
		if (registry.lastError() != null) {
			registration.put("registryError", registry.lastError());
		}
		Map<String, Object> components = new LinkedHashMap<>();
		components.put("meshConfig", Map.of("status", config.status(), "details", config.details()));
		components.put("listeners", Map.of("status", serving ? ConfigHealth.UP : "DOWN"));
		components.put("registry", Map.of("status", ConfigHealth.UP, "details", registration));
		String overall = !serving ? "DOWN" : config.status();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", overall);
		body.put("components", components);
		return json(response, ConfigHealth.UP.equals(overall) ? HttpResponseStatus.OK
				: HttpResponseStatus.SERVICE_UNAVAILABLE, body);
	}

	private Map<String, Object> info() {
		Map<String, Object> config = new LinkedHashMap<>();
		AppliedConfig applied = sync.state().applied();
		if (applied != null) {
			config.put("version", applied.version());
			config.put("appliedAt", applied.appliedAt());
			config.put("origin", applied.originName());
		}
		return Map.of("meshConfig", config, "agent", Map.of("node", properties.node()));
	}

	private Map<String, Object> links() {
		Map<String, Object> links = new LinkedHashMap<>();
		for (String name : new String[] { "health", "info", "mesh", "prometheus" }) {
			links.put(name, Map.of("href", "/actuator/" + name));
		}
		return Map.of("_links", links);
	}

	private Mono<Void> json(HttpServerResponse response, HttpResponseStatus status, Object body) {
		return response.status(status)
			.header(HttpHeaderNames.CONTENT_TYPE, JSON)
			.sendByteArray(Mono.fromSupplier(() -> json.writeValueAsBytes(body)))
			.then();
	}
}
