package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/** A temporary Git repository holding a copy of config-repo/, committed to like a user would. */
public final class ConfigRepo implements AutoCloseable {

	private final Path dir;

	private final Git git;

	private ConfigRepo(Path dir, Git git) {
		this.dir = dir;
		this.git = git;
	}

	public static ConfigRepo copyOfProjectConfig(Path dir) {
		try {
			Path target = dir.resolve("config-repo");
			Files.createDirectories(target);
			try (Stream<Path> files = Files.list(Project.configRepo())) {
				for (Path file : files.toList()) {
					Files.copy(file, target.resolve(file.getFileName()));
				}
			}
			Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
			ConfigRepo repo = new ConfigRepo(dir, git);
			repo.commitAll("copy of the project's config-repo");
			return repo;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GitAPIException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The project's config without the edge's token check ({@code mesh.jwt} and each route's {@code auth}): most
	 * tests are about something else and call the routes without tokens; a test about tokens keeps them.
	 */
	public static String withoutEdgeAuth(String yaml) {
		StringBuilder kept = new StringBuilder(yaml.length());
		boolean inJwt = false;
		for (String line : yaml.split("\n", -1)) {
			if (line.equals("  jwt:") || line.startsWith("  # How the gateway checks bearer tokens")) {
				inJwt = true;
				continue;
			}
			if (inJwt && (line.startsWith("    ") || line.startsWith("  #"))) {
				continue;
			}
			inJwt = false;
			if (!line.trim().startsWith("auth:")) {
				kept.append(line).append('\n');
			}
		}
		return kept.substring(0, kept.length() - 1);
	}

	/**
	 * The config with {@code telemetry} (written as under {@code mesh:}, indented by two) in place of the project's:
	 * a test about traces or logs sends them where it listens, at the rate it needs.
	 */
	public static String withTelemetry(String yaml, String telemetry) {
		StringBuilder kept = new StringBuilder(yaml.length());
		boolean inTelemetry = false;
		for (String line : yaml.split("\n", -1)) {
			if (line.equals("  telemetry:")) {
				inTelemetry = true;
				continue;
			}
			if (inTelemetry && line.startsWith("    ")) {
				continue;
			}
			inTelemetry = false;
			kept.append(line).append('\n');
		}
		return kept.toString().stripTrailing() + "\n" + telemetry.stripTrailing() + "\n";
	}

	public Path dir() {
		return dir;
	}

	public String read(String file) {
		try {
			return Files.readString(dir.resolve("config-repo").resolve(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Writes config-repo/{file} and commits it; returns the commit id. */
	public String commit(String file, String content, String message) {
		try {
			Files.writeString(dir.resolve("config-repo").resolve(file), content);
			return commitAll(message);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String edit(String file, UnaryOperator<String> change, String message) {
		String before = read(file);
		String after = change.apply(before);
		if (after.equals(before)) {
			throw new IllegalArgumentException("the edit of " + file + " changed nothing");
		}
		return commit(file, after, message);
	}

	private String commitAll(String message) {
		try {
			git.add().addFilepattern(".").call();
			RevCommit commit = git.commit()
				.setMessage(message)
				.setAuthor("Meshgate Test", "test@meshgate.local")
				.setCommitter("Meshgate Test", "test@meshgate.local")
				.setSign(false)
				.call();
			return commit.getName();
		}
		catch (GitAPIException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		git.close();
	}
}
