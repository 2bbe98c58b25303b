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
