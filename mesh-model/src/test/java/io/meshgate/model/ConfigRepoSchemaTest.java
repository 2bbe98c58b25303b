package io.meshgate.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.meshgate.model.binding.ModelTypes;
import io.meshgate.model.files.YamlConfigFiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The published JSON Schema accepts every file of config-repo, rejects broken ones, and matches the model's keys. */
class ConfigRepoSchemaTest {

	private static final Path CONFIG_REPO = Path.of(System.getProperty("meshgate.config-repo", "../config-repo"));

	private static JsonNode schemaJson;

	private static Schema schema;

	@BeforeAll
	static void loadSchema() throws IOException {
		try (InputStream in = ConfigRepoSchemaTest.class.getResourceAsStream("/meshgate-config.schema.json")) {
			schemaJson = new ObjectMapper().readTree(in);
		}
		schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
	}

	static List<Path> configRepoFiles() throws IOException {
		try (Stream<Path> files = Files.list(CONFIG_REPO)) {
			return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
		}
	}

	@Test
	void everyConfigRepoFileMatchesTheSchema() throws IOException {
		List<Path> files = configRepoFiles();
		assertThat(files).extracting(f -> f.getFileName().toString()).contains("application.yml", "gateway.yml");
		for (Path file : files) {
			assertThat(schema.validate(Files.readString(file), InputFormat.YAML)).as(file.toString()).isEmpty();
		}
	}

	@Test
	void theConfigRepoIsAValidModel() throws IOException {
		List<ConfigSource> sources = new ArrayList<>();
		for (Path file : configRepoFiles()) {
			sources.add(YamlConfigFiles.read(file, "config-repo/" + file.getFileName()));
		}
		assertThat(MeshConfigLoader.load(sources).errors()).isEmpty();
	}

	@Test
	void theSchemaRejectsTyposAndBadValues() {
		assertThat(schema.validate("""
				mesh:
				  routes:
				    - { id: a, ingres: { path: /a }, to: orders }
				""", InputFormat.YAML)).isNotEmpty();
		assertThat(schema.validate("""
				mesh:
				  services:
				    orders: { timeout: 2 seconds }
				""", InputFormat.YAML)).isNotEmpty();
		assertThat(schema.validate("""
				spring:
				  cloud:
				    gateway:
				      routes: [ { id: old, uri: "http://x" } ]
				""", InputFormat.YAML)).isNotEmpty();
		assertThat(schema.validate("""
				mesh:
				  routes:
				    - { id: a, ingress: { path: /a }, to: orders, auth: public }
				""", InputFormat.YAML)).isNotEmpty();
		assertThat(schema.validate("""
				mesh:
				  routes:
				    - { id: a, ingress: { path: /a }, to: orders, auth: { scopes: [ "two words" ] } }
				""", InputFormat.YAML)).isNotEmpty();
		assertThat(schema.validate("""
				mesh:
				  jwt: { issuer: "http://idp", jwks-uri: "http://idp/jwks" }
				  routes:
				    - { id: a, ingress: { path: /a }, to: orders, auth: none }
				    - { id: b, ingress: { path: /b }, to: orders, auth: { scopes: [ orders.read ] } }
				""", InputFormat.YAML)).isEmpty();
	}

	@Test
	void theSchemaHasExactlyTheModelsKeys() {
		Set<String> model = new TreeSet<>();
		collect(MeshConfig.class, "mesh", model);
		Set<String> published = new TreeSet<>();
		collect(schemaJson.get("$defs").get("mesh"), "mesh", published);
		assertThat(published).isEqualTo(model);
	}

	private static void collect(Type type, String path, Set<String> keys) {
		if (ModelTypes.isList(type) || ModelTypes.isMap(type)) {
			collect(ModelTypes.elementType(type), path + "[]", keys);
		}
		else if (ModelTypes.isObject(type)) {
			ModelTypes.keys(type).forEach((key, child) -> {
				keys.add(path + "." + key);
				collect(child, path + "." + key, keys);
			});
		}
	}

	private static void collect(JsonNode node, String path, Set<String> keys) {
		JsonNode resolved = resolve(node);
		if (resolved.has("oneOf")) {
			// 'to': a name or a list of destinations, 'auth': none or a mapping; the model's shape is the structure
			for (JsonNode option : resolved.get("oneOf")) {
				if (resolve(option).has("items") || resolve(option).has("properties")) {
					collect(option, path, keys);
				}
			}
		}
		else if (resolved.has("items")) {
			collect(resolved.get("items"), path + "[]", keys);
		}
		else if (resolved.has("additionalProperties") && resolved.get("additionalProperties").isObject()) {
			collect(resolved.get("additionalProperties"), path + "[]", keys);
		}
		else if (resolved.has("properties")) {
			for (var property : resolved.get("properties").properties()) {
				keys.add(path + "." + property.getKey());
				collect(property.getValue(), path + "." + property.getKey(), keys);
			}
		}
	}

	private static JsonNode resolve(JsonNode node) {
		while (node.has("$ref")) {
			String ref = node.get("$ref").asString();
			node = schemaJson.get("$defs").get(ref.substring(ref.lastIndexOf('/') + 1));
		}
		return node;
	}
}
