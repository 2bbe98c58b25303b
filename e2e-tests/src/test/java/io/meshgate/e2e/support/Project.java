package io.meshgate.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the project checkout: the runnable jars the reactor built before these tests, and config-repo. */
public final class Project {

	private Project() {
	}

	public static Path dir() {
		return Path.of(System.getProperty("meshgate.project.dir", "..")).toAbsolutePath().normalize();
	}

	public static Path configRepo() {
		return dir().resolve("config-repo");
	}

	public static Path jar(String module, String suffix) {
		Path jar = dir().resolve(module).resolve("target").resolve(module + "-0.1.0-SNAPSHOT" + suffix + ".jar");
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: build with ./mvnw package first");
		}
		return jar;
	}
}
