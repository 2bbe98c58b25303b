package io.meshgate.controlplane.git;

import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Reads the commit a label points at with {@code ls-remote}: one small round trip, no checkout, so it can run every
 * second. The config server itself fetches and checks out only when a commit is actually read.
 */
@Component
public class GitHead {

	private final String uri;

	private final String username;

	private final String password;

	public GitHead(Environment environment) {
		this.uri = environment.getRequiredProperty(LocalGitUriPostProcessor.URI);
		this.username = environment.getProperty("spring.cloud.config.server.git.username");
		this.password = environment.getProperty("spring.cloud.config.server.git.password");
	}

	/** @return the commit id of the branch or tag, or the label itself when it already is a commit id */
	public String commitOf(String label) throws GitAPIException {
		if (label.matches("[0-9a-f]{40}")) {
			return label;
		}
		var command = Git.lsRemoteRepository().setRemote(uri).setHeads(true).setTags(true);
		if (username != null && password != null) {
			command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(username, password));
		}
		Map<String, Ref> refs = command.callAsMap();
		for (String name : new String[] { "refs/heads/" + label, "refs/tags/" + label }) {
			Ref ref = refs.get(name);
			if (ref != null) {
				return (ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId()).name();
			}
		}
		throw new IllegalStateException("no branch or tag '" + label + "' in " + uri);
	}

	public String uri() {
		return uri;
	}
}
