package io.meshgate.controlplane.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class LocalGitUriPostProcessorTest {

	private final LocalGitUriPostProcessor processor = new LocalGitUriPostProcessor();

	private MockEnvironment process(String uri) {
		MockEnvironment environment = new MockEnvironment().withProperty(LocalGitUriPostProcessor.URI, uri);
		processor.postProcessEnvironment(environment, null);
		return environment;
	}

	@Test
	void aFileUriBecomesAPathPolledEveryQuarterSecond() {
		MockEnvironment environment = process("file:///srv/meshgate-repo");
		assertThat(environment.getProperty(LocalGitUriPostProcessor.URI)).isEqualTo("/srv/meshgate-repo");
		assertThat(environment.getProperty(LocalGitUriPostProcessor.POLL_INTERVAL)).isEqualTo("250ms");
		assertThat(process("/meshgate-repo").getProperty(LocalGitUriPostProcessor.POLL_INTERVAL)).isEqualTo("250ms");
	}

	@Test
	void aRemoteRepositoryKeepsTheDefaultAndAnIntervalSetStays() {
		assertThat(process("https://github.com/acme/config.git").getProperty(LocalGitUriPostProcessor.POLL_INTERVAL))
			.isNull();
		assertThat(process("git@github.com:acme/config.git").getProperty(LocalGitUriPostProcessor.POLL_INTERVAL))
			.isNull();
		MockEnvironment chosen = new MockEnvironment().withProperty(LocalGitUriPostProcessor.URI, "/repo")
			.withProperty(LocalGitUriPostProcessor.POLL_INTERVAL, "2s");
		processor.postProcessEnvironment(chosen, null);
		assertThat(chosen.getProperty(LocalGitUriPostProcessor.POLL_INTERVAL)).isEqualTo("2s");
	}

	@Test
	void aUriWithAPasswordStopsTheStartWithoutRepeatingIt() {
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> process("https://bot:s3cr3t-token@git.example/acme/config.git"))
			.hasMessageContaining("MESHGATE_CONFIG_GIT_PASSWORD")
			.hasMessageNotContaining("s3cr3t-token");
		// a user name alone (ssh, or a token given separately) is fine
		assertThat(process("ssh://git@git.example/acme/config.git").getProperty(LocalGitUriPostProcessor.URI))
			.isEqualTo("ssh://git@git.example/acme/config.git");
	}
}
