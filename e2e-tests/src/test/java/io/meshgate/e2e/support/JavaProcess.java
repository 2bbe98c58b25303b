package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real JVM running one of our jars, its output in a log file that failures quote. */
public final class JavaProcess implements AutoCloseable {

	/** Fast start, small heap: test processes live for seconds, not days. */
	private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
			"-Xshare:auto");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final String name;

	private final Path log;

	private final List<String> command;

	private final Map<String, String> environment;

	private Process process;

	public JavaProcess(String name, Path jar, Path logDir, Map<String, String> environment, String... args) {
		this(name, jar, logDir, environment, List.of(), args);
	}

	/** @param extraFlags JVM flags after the defaults (a later {@code -Xmx} wins) */
	public JavaProcess(String name, Path jar, Path logDir, Map<String, String> environment, List<String> extraFlags,
			String... args) {
		this.name = name;
		this.log = logDir.resolve(name + ".log");
		this.environment = environment;
		this.command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(JVM_FLAGS);
		command.addAll(extraFlags);
		command.add("-jar");
		command.add(jar.toString());
		command.addAll(List.of(args));
	}

	public JavaProcess start() {
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
			builder.environment().putAll(environment);
			process = builder.start();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Waits until the URL answers 200, failing with the log's tail if the deadline passes or the process dies. */
	public JavaProcess awaitHealthy(String url, Duration deadline) {
		long end = System.nanoTime() + deadline.toNanos();
		while (System.nanoTime() < end) {
			if (!process.isAlive()) {
				throw new IllegalStateException(name + " exited with " + process.exitValue() + "\n" + logTail());
			}
			try {
				HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
					.timeout(Duration.ofSeconds(1))
					.build(), HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return this;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			pause();
		}
		throw new IllegalStateException(name + " not healthy at " + url + " within " + deadline + "\n" + logTail());
	}

	public String log() {
		try {
			return Files.exists(log) ? Files.readString(log) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String logTail() {
		String all = log();
		return "--- last lines of " + log + " ---\n" + all.substring(Math.max(0, all.length() - 4000));
	}

	public boolean isAlive() {
		return process != null && process.isAlive();
	}

	/** Kills the process at once (SIGKILL), as a crash would: no shutdown, its connections reset by the kernel. */
	public void kill() {
		if (process == null) {
			return;
		}
		try {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	public void stop() {
		if (process == null) {
			return;
		}
		process.destroy();
		try {
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		stop();
	}

	private static void pause() {
		try {
			TimeUnit.MILLISECONDS.sleep(100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
