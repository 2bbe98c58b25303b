package io.meshgate.e2e.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mesh topology on loopback with ephemeral ports, every part a real process:
 * <pre>
 * control plane (temporary Git repo)      gateway
 * node-a: agent A + demo JVM A (orders, inventory #1)
 * node-b: agent B + demo JVM B (inventory #2, inventory-v2)
 * </pre>
 * Agents run with a 64 MB heap, so streaming tests prove bodies are never held whole.
 */
public final class MeshStack implements AutoCloseable {

	private static final Duration START_DEADLINE = Duration.ofSeconds(120);

	public static final List<String> AGENT_HEAP = List.of("-Xmx64m");

	public final int gatewayPort = FreePorts.next();

	public final int managementPort = FreePorts.next();

	public final Node a = new Node("node-a");

	public final Node b = new Node("node-b");

	public final int orders = FreePorts.next();

	public final int inventory1 = FreePorts.next();

	public final int inventory2 = FreePorts.next();

	public final int inventoryV2 = FreePorts.next();

	private final Path work;

	public final ConfigRepo repo;

	/** The control plane's API, as its operator. */
	public final ControlPlaneApi controlPlaneApi;

	private JavaProcess controlPlane;

	private JavaProcess gateway;

	public JavaProcess demoA;

	public JavaProcess demoB;

	public JavaProcess agentA;

	public JavaProcess agentB;

	/** An agent's ports. */
	public static final class Node {

		public final String name;

		public final int admin = FreePorts.next();

		public final int outbound = FreePorts.next();

		public final int inbound = FreePorts.next();

		/** node-a's second outbound listener, its inventory workload's own ({@code outbound-ports}) */
		public final int inventoryOutbound = FreePorts.next();

		Node(String name) {
			this.name = name;
		}

		public String adminUrl(String path) {
			return "http://127.0.0.1:" + admin + path;
		}
	}

	private final Map<String, Integer> extraWorkloadsOnB;

	/** PEM file of the CA certificates the gateway and the agents trust for https:// endpoints; JDK's when null. */
	private Path upstreamTrust;

	/** More environment for the gateway and both agents (their settings). */
	private final Map<String, String> proxyEnvironment = new HashMap<>();

	/** More environment for the control plane {@link #startAll()} starts (its settings: an identity TTL, say). */
	private Map<String, String> controlPlaneEnvironment = Map.of();

	public MeshStack controlPlaneEnvironment(Map<String, String> environment) {
		this.controlPlaneEnvironment = Map.copyOf(environment);
		return this;
	}

	public MeshStack proxyEnvironment(Map<String, String> environment) {
		proxyEnvironment.putAll(environment);
		return this;
	}

	public MeshStack trustUpstreamCertificates(Path caFile) {
		this.upstreamTrust = caFile;
		return this;
	}

	/** @param extraWorkloadsOnB more workloads for node-b's agent: service to a loopback port (declare them too) */
	public MeshStack(Path work, String extraConfig, Map<String, Integer> extraWorkloadsOnB) {
		this.work = work;
		this.controlPlaneApi = new ControlPlaneApi(Processes.controlPlaneData(work));
		this.extraWorkloadsOnB = extraWorkloadsOnB;
		this.repo = ConfigRepo.copyOfProjectConfig(work.resolve("git"));
		// the project's policies would refuse most of the paths the tests call; a test about policies commits its own
		repo.edit("application.yml",
				yaml -> ConfigRepo.withoutEdgeAuth(withoutPolicies(yaml.replace("  routes:\n", extraConfig + "  routes:\n"))),
				"this test's services, no policies, no tokens at the edge");
	}

	private static String withoutPolicies(String yaml) {
		int policies = yaml.indexOf("\n  policies:\n");
		if (policies < 0) {
			return yaml;
		}
		int comment = yaml.lastIndexOf("\n  # Who may call a service", policies);
		return yaml.substring(0, comment >= 0 ? comment + 1 : policies + 1);
	}

	public MeshStack startAll() {
		startControlPlane(controlPlaneEnvironment);
		demoA = new JavaProcess("demo-node-a", Project.jar("examples", ""), work, Map.of(),
				"--proxy=127.0.0.1:" + a.outbound, "--inventory-url=http://inventory", "orders:" + orders,
				"inventory:" + inventory1)
			.start();
		demoB = new JavaProcess("demo-node-b", Project.jar("examples", ""), work, Map.of(),
				"--proxy=127.0.0.1:" + b.outbound, "inventory:" + inventory2, "inventory:" + inventoryV2)
			.start();
		// the proxies' join tokens come from the control plane
		controlPlane.awaitHealthy(controlPlaneApi.managementUrl("/actuator/health"), START_DEADLINE);
		// orders (demo A) is the app calling out through node-a's outbound listener: node-a calls as svc/orders
		Map<String, String> environmentA = new HashMap<>(enrolment(a, List.of("orders", "inventory")));
		environmentA.put("MESHGATE_AGENT_OUTBOUND_SERVICE", "orders");
		agentA = agent(a, Map.of("orders", orders, "inventory", inventory1), environmentA);
		Map<String, Integer> onB = new HashMap<>(Map.of("inventory", inventory2, "inventory-v2", inventoryV2));
		onB.putAll(extraWorkloadsOnB);
		agentB = agent(b, onB, enrolment(b, List.copyOf(onB.keySet())));
		Map<String, String> gatewayEnvironment = new HashMap<>(proxyEnvironment);
		if (upstreamTrust != null) {
			gatewayEnvironment.put("MESHGATE_GATEWAY_UPSTREAM_TRUST_CERTIFICATES", upstreamTrust.toString());
		}
		gatewayEnvironment.putAll(Processes.gatewayEnrolment(work, controlPlaneApi));
		gateway = Processes.gateway(work, controlPlaneApi, gatewayPort, managementPort, gatewayEnvironment).start();
		agentA.awaitHealthy(a.adminUrl("/actuator/health"), START_DEADLINE);
		agentB.awaitHealthy(b.adminUrl("/actuator/health"), START_DEADLINE);
		gateway.awaitHealthy(managementUrl("/actuator/health"), START_DEADLINE);
		return this;
	}

	/** The environment that enrols a node's agent, unless it holds an identity from an earlier start. */
	public Map<String, String> enrolment(Node node, List<String> services) {
		if (java.nio.file.Files.exists(dataDir(node).resolve("identity/key.pem"))) {
			return Map.of();
		}
		return Map.of("MESHGATE_AGENT_JOIN_TOKEN", controlPlaneApi.token(node.name, services));
	}

	public void startControlPlane() {
		startControlPlane(Map.of());
	}

	/** @param environment more settings of the control plane's */
	public void startControlPlane(Map<String, String> environment) {
		controlPlane = Processes.controlPlane(work, repo.dir(), controlPlaneApi, environment).start();
	}

	public JavaProcess gateway() {
		return gateway;
	}

	public JavaProcess controlPlane() {
		return controlPlane;
	}

	/** One more agent process for {@code node}, with more environment (a join token, say); started, not awaited. */
	public JavaProcess startAgent(Node node, Map<String, Integer> workloads, Map<String, String> environment) {
		return agent(node, workloads, environment);
	}

	/** The gateway alone, with more environment (a join token, say); started, not awaited. */
	public JavaProcess startGateway(Map<String, String> environment) {
		Map<String, String> gatewayEnvironment = new HashMap<>(proxyEnvironment);
		gatewayEnvironment.putAll(environment);
		gateway = Processes.gateway(work, controlPlaneApi, gatewayPort, managementPort, gatewayEnvironment).start();
		return gateway;
	}

	/**
	 * Another gateway of the same mesh, with its own ports, data and join token (its log in {@code work/<name>});
	 * started, not awaited.
	 */
	public JavaProcess startAnotherGateway(String name, int port, int managementPort) {
		Path home = work.resolve(name);
		try {
			java.nio.file.Files.createDirectories(home);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		Map<String, String> environment = new HashMap<>(proxyEnvironment);
		environment.putAll(Processes.gatewayEnrolment(home, controlPlaneApi));
		return Processes.gateway(home, controlPlaneApi, port, managementPort, environment).start();
	}

	/** Where a node's agent keeps its data (last-known-good config, identities). */
	public Path dataDir(Node node) {
		return work.resolve(node.name + "-data").resolve(node.name);
	}

	private JavaProcess agent(Node node, Map<String, Integer> workloads, Map<String, String> extra) {
		Map<String, String> environment = new HashMap<>(Map.of("MESHGATE_CONTROL_PLANE_URI", controlPlaneApi.url(""),
				"MESHGATE_DATA_DIR", work.resolve(node.name + "-data").toString(), "MESHGATE_AGENT_NODE", node.name,
				"MESHGATE_AGENT_ADMIN_PORT", String.valueOf(node.admin), "MESHGATE_AGENT_OUTBOUND_PORT",
				String.valueOf(node.outbound), "MESHGATE_AGENT_INBOUND_PORT", String.valueOf(node.inbound)));
		if (upstreamTrust != null) {
			environment.put("MESHGATE_AGENT_UPSTREAM_TRUST_CERTIFICATES", upstreamTrust.toString());
		}
		environment.putAll(proxyEnvironment);
		environment.putAll(extra);
		// as arguments: an environment variable cannot carry a map key with a dash (inventory-v2)
		java.util.List<String> args = new java.util.ArrayList<>(workloads.entrySet()
			.stream()
			.map(w -> "--meshgate.agent.workloads." + w.getKey() + "=http://127.0.0.1:" + w.getValue())
			.toList());
		if (node == a) {
			// node-a fronts orders and inventory: orders calls out through the outbound port, inventory through its own
			args.add("--meshgate.agent.outbound-ports.inventory=" + node.inventoryOutbound);
		}
		return new JavaProcess("agent-" + node.name, Project.jar("mesh-agent", "-exec"), work, environment, AGENT_HEAP,
				args.toArray(String[]::new))
			.start();
	}

	public String gatewayUrl(String path) {
		return "http://127.0.0.1:" + gatewayPort + path;
	}

	public String managementUrl(String path) {
		return "http://127.0.0.1:" + managementPort + path;
	}

	@Override
	public void close() {
		for (JavaProcess process : new JavaProcess[] { gateway, agentA, agentB, demoA, demoB, controlPlane }) {
			if (process != null) {
				process.stop();
			}
		}
		repo.close();
	}
}
