package io.meshgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.meshgate.e2e.support.Project;

/**
 * docker-compose.yml can't be run here (no Docker engine), so it is validated with Debian's docker-compose, which
 * checks it against the Compose schema without an engine; `bin/meshgate test` installs it.
 */
class ComposeFileTest {

	private static final Path COMPOSE = Project.dir().resolve("docker-compose.yml");

	record Result(int exit, String output) {
	}

	private static Result dockerCompose(Path file) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder("docker-compose", "--project-directory", Project.dir().toString(), "-f",
					file.toString(), "config", "-q")
				.redirectErrorStream(true)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("docker-compose is not installed: run the tests with `bin/meshgate test`, "
					+ "or apt-get install docker-compose", ex);
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return new Result(process.exitValue(), output);
	}

	@Test
	void theComposeFileIsValid() throws Exception {
		Result result = dockerCompose(COMPOSE);
		assertThat(result.exit()).as(result.output()).isZero();
	}

	@Test
	void aBrokenCopyIsRejectedNamingTheBadKey(@TempDir Path dir) throws Exception {
		Path broken = dir.resolve("docker-compose.yml");
		Files.writeString(broken, Files.readString(COMPOSE).replace("  gateway:\n", "  gateway:\n    bogus_option: 1\n"));

		Result result = dockerCompose(broken);

		assertThat(result.exit()).isNotZero();
		assertThat(result.output()).contains("bogus_option");
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyBuildContextAndMountedPathExists() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
		List<String> missing = new ArrayList<>();
		services.forEach((name, service) -> {
			if (service.get("build") instanceof Map<?, ?> build) {
				Path context = Project.dir().resolve((String) build.get("context"));
				if (!Files.isRegularFile(context.resolve("Dockerfile"))) {
					missing.add(name + ": build context " + context + " has no Dockerfile");
				}
			}
			for (Object volume : (List<Object>) service.getOrDefault("volumes", List.of())) {
				String host = volume.toString().split(":")[0];
				if ((host.startsWith(".") || host.startsWith("/")) && !Files.exists(Project.dir().resolve(host))) {
					missing.add(name + ": mounted path " + host + " does not exist");
				}
			}
		});
		assertThat(services).containsKeys("control-plane", "gateway", "orders", "inventory", "prometheus", "grafana",
				"zipkin");
		assertThat(missing).isEmpty();
	}
}
