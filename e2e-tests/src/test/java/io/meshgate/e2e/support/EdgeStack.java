package io.meshgate.e2e.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The edge topology on loopback with ephemeral ports: control plane on a temporary Git repository, the demo services
 * (one JVM), and the gateway, each a real process, without agents: the temporary repository gives the services
 * static endpoints on the ports chosen here.
 */
public final class EdgeStack implements AutoCloseable {

	private static final Duration START_DEADLINE = Duration.ofSeconds(90);

	public final int gatewayPort = FreePorts.next();

	public final int managementPort = FreePorts.next();

	public final int ordersPort = FreePorts.next();

	public final int inventoryPort = FreePorts.next();

	private final Path work;

	public final ConfigRepo repo;

	private JavaProcess controlPlane;

	private JavaProcess services;

	private JavaProcess gateway;

	public final ControlPlaneApi controlPlaneApi;

	public EdgeStack(Path work) {
		this(work, false);
	}

	/** @param edgeAuth whether the project's {@code mesh.jwt} and routes' {@code auth} stay (its issuer: port 9000) */
	public EdgeStack(Path work, boolean edgeAuth) {
		this.work = work;
		this.controlPlaneApi = new ControlPlaneApi(Processes.controlPlaneData(work));
		this.repo = ConfigRepo.copyOfProjectConfig(work.resolve("git"));
		// no agents here: the gateway reaches the services through static endpoints
		repo.edit("application.yml",
				yaml -> (edgeAuth ? yaml : ConfigRepo.withoutEdgeAuth(yaml))
					.replace("      timeout: 2s\n", "      timeout: 2s\n      endpoints: [ http://127.0.0.1:" + ordersPort + " ]\n")
					.replace("      timeout: 1s\n", "      timeout: 1s\n      endpoints: [ http://127.0.0.1:" + inventoryPort + " ]\n"),
				"static endpoints on this test's ports");
	}

	public EdgeStack startAll() {
		startServices();
		startControlPlane(true); // the gateway's join token comes from it
		startGateway(true);
		return this;
	}

	public void startServices() {
		services = new JavaProcess("demo-services", Project.jar("examples", ""), work, Map.of(),
				"--inventory-url=http://127.0.0.1:" + inventoryPort, "orders:" + ordersPort,
				"inventory:" + inventoryPort)
			.start();
	}

	public void startControlPlane(boolean await) {
		controlPlane = Processes.controlPlane(work, repo.dir(), controlPlaneApi, Map.of()).start();
		if (await) {
			controlPlane.awaitHealthy(controlPlaneApi.managementUrl("/actuator/health"), START_DEADLINE);
		}
	}

	public void startGateway(boolean await) {
		gateway = Processes.gateway(work, controlPlaneApi, gatewayPort, managementPort,
				Processes.gatewayEnrolment(work, controlPlaneApi)).start();
		if (await) {
			gateway.awaitHealthy(managementUrl("/actuator/health"), START_DEADLINE);
		}
	}

	public JavaProcess controlPlane() {
		return controlPlane;
	}

	public JavaProcess gateway() {
		return gateway;
	}

	public String gatewayUrl(String path) {
		return "http://127.0.0.1:" + gatewayPort + path;
	}

	public String managementUrl(String path) {
		return "http://127.0.0.1:" + managementPort + path;
	}


	@Override
	public void close() {
		for (JavaProcess process : new JavaProcess[] { gateway, controlPlane, services }) {
			if (process != null) {
				process.stop();
			}
		}
		repo.close();
	}
}
