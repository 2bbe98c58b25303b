package io.meshgate.controlplane.git;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The text of a config file at a commit, read from the config server's own clone by commit id: no checkout, so it is
 * exactly the commit the config server just served, whatever it checks out next.
 */
@Component
public class CommitFiles {

	private final File gitDir;

	public CommitFiles(Environment environment) {
		this.gitDir = new File(environment.getRequiredProperty("spring.cloud.config.server.git.basedir"), ".git");
	}

	/**
	 * @param commit             the commit id (the environment's version)
	 * @param propertySourceName the config server's name for the file: the repository's URI, then its path in it
	 * @return the file's text, or empty when the clone has no such commit or file
	 */
	public Optional<String> read(String commit, String propertySourceName) {
		if (commit == null || !gitDir.isDirectory()) {
			return Optional.empty();
		}
		try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build();
				RevWalk commits = new RevWalk(repository)) {
			ObjectId id = repository.resolve(commit);
			if (id == null) {
				return Optional.empty();
			}
			RevCommit revision = commits.parseCommit(id);
			try (TreeWalk files = new TreeWalk(repository)) {
				files.addTree(revision.getTree());
				files.setRecursive(true);
				ObjectId best = null;
				int bestLength = -1;
				while (files.next()) {
					String path = files.getPathString();
					if ((propertySourceName.endsWith("/" + path) || propertySourceName.equals(path))
							&& path.length() > bestLength) {
						best = files.getObjectId(0);
						bestLength = path.length();
					}
				}
				return best == null ? Optional.empty()
						: Optional.of(new String(repository.open(best).getBytes(), StandardCharsets.UTF_8));
			}
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}
}
