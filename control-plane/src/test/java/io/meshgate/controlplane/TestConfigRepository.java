package io.meshgate.controlplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/** A Git repository for a control plane under test: one commit on main, config-repo/application.yml. */
public final class TestConfigRepository {

	private TestConfigRepository() {
	}

	/**
	 * The settings every control plane under test shares: this Git repository (made lazily, from {@code repo}),
	 * its data directory under {@code temp}, and a management port of its own. A test adds its own settings after.
	 */
	public static void controlPlane(org.springframework.test.context.DynamicPropertyRegistry properties, Path temp,
			java.util.function.Supplier<Path> repo) {
		properties.add("spring.cloud.config.server.git.uri", () -> repo.get().toString());
		properties.add("spring.cloud.config.server.git.default-label", () -> "main");
		properties.add("spring.cloud.config.server.git.search-paths", () -> "config-repo");
		properties.add("meshgate.data-dir", () -> temp.resolve("data").toString());
		properties.add("management.server.port", () -> "0");
	}

	/** {@link #controlPlane(org.springframework.test.context.DynamicPropertyRegistry, Path, java.util.function.Supplier)}
	 * over a repository of one {@code application.yml}. */
	public static void controlPlane(org.springframework.test.context.DynamicPropertyRegistry properties, Path temp,
			String applicationYml) {
		controlPlane(properties, temp, () -> in(temp, applicationYml));
	}

	/** Made once under {@code temp}; later calls return the same repository. */
	public static Path in(Path temp, String applicationYml) {
		Path repo = temp.resolve("repo");
		if (Files.exists(repo)) {
			return repo;
		}
		try {
			Files.createDirectories(repo.resolve("config-repo"));
			Files.writeString(repo.resolve("config-repo/application.yml"), applicationYml);
			try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
				git.add().addFilepattern(".").call();
				git.commit()
					.setMessage("config")
					.setAuthor("test", "test@example.com")
					.setCommitter("test", "test@example.com")
					.setSign(false)
					.call();
			}
		}
		catch (IOException | GitAPIException ex) {
			throw new IllegalStateException("cannot create the config repository in " + repo, ex);
		}
		return repo;
	}
}
