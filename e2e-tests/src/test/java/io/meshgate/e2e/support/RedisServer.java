package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** Debian's redis-server on a free loopback port, without persistence: started, killed, started again. */
public final class RedisServer implements AutoCloseable {

	public final int port = FreePorts.next();

	private final Path log;

	private Process process;

	public RedisServer(Path logDir) {
		this.log = logDir.resolve("redis.log");
	}

	public String uri() {
		return "redis://127.0.0.1:" + port;
	}

	public RedisServer start() {
		try {
			process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("redis-server could not start (Debian: apt-get install -y redis-server)", ex);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> "+PONG".equals(command("PING")));
		return this;
	}

	/** Kills it at once, as a crash would. */
	public void kill() {
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** One inline command's first reply line ({@code +PONG}, {@code :3}), or {@code null} when it does not answer. */
	public String command(String command) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			for (int c; (c = in.read()) >= 0 && c != '\r';) {
				line.append((char) c);
			}
			return line.toString();
		}
		catch (IOException ex) {
			return null;
		}
	}

	@Override
	public void close() {
		kill();
	}
}
