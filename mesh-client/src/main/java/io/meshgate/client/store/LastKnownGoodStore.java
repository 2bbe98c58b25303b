package io.meshgate.client.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.meshgate.model.ConfigSource;
import io.meshgate.model.protocol.EndpointSet;
import tools.jackson.databind.json.JsonMapper;

/**
 * The last config a proxy applied, on disk, so a proxy started while the control plane is down serves what it served
 * before. Written atomically (temporary file, then rename): a crash mid-write leaves the previous copy intact.
 */
public class LastKnownGoodStore {

	private final Path file;

	private final Path endpointsFile;

	private final JsonMapper json = JsonMapper.builder().build();

	public LastKnownGoodStore(Path dataDir, String application) {
		this.file = dataDir.resolve(application).resolve("last-known-good.json");
		this.endpointsFile = dataDir.resolve(application).resolve("last-known-endpoints.json");
	}

	public Path file() {
		return file;
	}

	public void save(Stored stored) throws IOException {
		write(file, stored);
	}

	/** The registry's endpoints too: an agent restarted while the control plane is down still knows its peers. */
	public void saveEndpoints(EndpointSet endpoints) throws IOException {
		write(endpointsFile, endpoints);
	}

	public Optional<EndpointSet> loadEndpoints() throws IOException {
		if (!Files.exists(endpointsFile)) {
			return Optional.empty();
		}
		try {
			return Optional.of(json.readValue(endpointsFile.toFile(), EndpointSet.class));
		}
		catch (RuntimeException ex) {
			throw new IOException(endpointsFile + " is not a readable copy of the endpoints: " + ex.getMessage(), ex);
		}
	}

	private void write(Path target, Object value) throws IOException {
		Files.createDirectories(target.getParent());
		Path temporary = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
		try {
			Files.writeString(temporary, json.writerWithDefaultPrettyPrinter().writeValueAsString(value));
			Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	/** @return the stored config; empty when there is none; throws when the file exists but cannot be read */
	public Optional<Stored> load() throws IOException {
		if (!Files.exists(file)) {
			return Optional.empty();
		}
		try {
			return Optional.of(json.readValue(file.toFile(), Stored.class));
		}
		catch (RuntimeException ex) {
			throw new IOException(file + " is not a readable last-known-good copy: " + ex.getMessage(), ex);
		}
	}

	/**
	 * @param version   the commit
	 * @param appliedAt when it was applied
	 * @param sources   its files, highest precedence first
	 */
	public record Stored(String version, Instant appliedAt, List<ConfigSource> sources) {
	}
}
