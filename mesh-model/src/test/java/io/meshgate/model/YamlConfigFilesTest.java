package io.meshgate.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.meshgate.model.files.InvalidYamlException;
import io.meshgate.model.files.YamlConfigFiles;

class YamlConfigFilesTest {

	@Test
	void flattensLikeSpringBoot() {
		ConfigSource source = YamlConfigFiles.parse("""
				mesh:
				  services:
				    orders: { timeout: 2s }
				    inventory:
				  routes:
				    - { id: a, to: [ orders ] }
				""", "application.yml");

		assertThat(source.properties()).containsEntry("mesh.services.orders.timeout", "2s")
			.containsEntry("mesh.services.inventory", "")
			.containsEntry("mesh.routes[0].to[0]", "orders");
	}

	@Test
	void namesLineAndColumnOfASyntaxError() {
		assertThatThrownBy(() -> YamlConfigFiles.parse("mesh:\n  routes: [\n  - a: b\n x\n", "config-repo/application.yml"))
			.isInstanceOfSatisfying(InvalidYamlException.class,
					ex -> assertThat(ex.file()).isEqualTo("config-repo/application.yml"))
			.hasMessage("YAML syntax error at line 3, column 3: expected the node content, but found '-' "
					+ "(while parsing a flow node)");
	}
}
