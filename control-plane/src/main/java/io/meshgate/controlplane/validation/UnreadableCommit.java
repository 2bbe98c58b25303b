package io.meshgate.controlplane.validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.meshgate.model.ConfigError;
import io.meshgate.model.files.InvalidYamlException;
import io.meshgate.model.files.YamlConfigFiles;

/**
 * Explains why the config server could not read a commit. Its exception says "could not construct context" without
 * naming the file, so the files of the checked-out commit are parsed one by one to find the broken one and its line.
 */
@Component
class UnreadableCommit {

	private final Path clone;

	private final List<String> searchPaths;

	UnreadableCommit(Environment environment) {
		this.clone = Path.of(environment.getRequiredProperty("spring.cloud.config.server.git.basedir"));
		this.searchPaths = List.of(environment.getProperty("spring.cloud.config.server.git.search-paths", "")
			.split("\\s*,\\s*"));
	}

	List<ConfigError> explain(RuntimeException failure) {
		List<ConfigError> errors = new ArrayList<>();
		for (String searchPath : searchPaths) {
			if (searchPath.contains("{")) {
				continue; // per-application folders: the exception below still tells what failed
			}
			Path folder = clone.resolve(searchPath);
			try (Stream<Path> files = Files.list(folder)) {
				files.filter(UnreadableCommit::isYaml).sorted().forEach(file -> {
					String name = clone.relativize(file).toString();
					try {
						YamlConfigFiles.read(file, name);
					}
					catch (InvalidYamlException ex) {
						errors.add(new ConfigError(name, "", ex.getMessage()));
					}
				});
			}
			catch (IOException ex) {
				// folder missing in this commit: fall through to the server's own message
			}
		}
		if (errors.isEmpty()) {
			errors.add(new ConfigError("(config repository)", "", "cannot be read: " + oneLine(rootMessage(failure))));
		}
		return errors;
	}

	private static boolean isYaml(Path file) {
		String name = file.getFileName().toString();
		return name.endsWith(".yml") || name.endsWith(".yaml");
	}

	private static String rootMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return String.valueOf(root.getMessage());
	}

	private static String oneLine(String message) {
		return message.replaceAll("\\s+", " ").trim();
	}
}
