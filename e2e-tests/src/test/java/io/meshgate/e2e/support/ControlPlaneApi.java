package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test's way into a control plane process, as its operator: its API over TLS (trusting the CA root it made at its
 * first start, checking its host name as {@code curl --cacert} does) with the operator secret, and its management
 * port. Join tokens for the proxies the test starts come from here.
 */
public final class ControlPlaneApi {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public final int port = FreePorts.next();

	public final int managementPort = FreePorts.next();

	private final Path dataDir;

	private volatile HttpClient client;

	ControlPlaneApi(Path dataDir) {
		this.dataDir = dataDir;
	}

	public String url(String path) {
		return "https://127.0.0.1:" + port + path;
	}

	public String managementUrl(String path) {
		return "http://127.0.0.1:" + managementPort + path;
	}

	public Path caCertificate() {
		return dataDir.resolve("control-plane/ca/ca.crt");
	}

	/** The operator secret, made at the control plane's first start. */
	public String operatorSecret() {
		try {
			return Files.readString(dataDir.resolve("control-plane/operator.secret")).trim();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A client that trusts the control plane's roots (the signing one, and through a rotation the next or previous
	 * one: made again when they change) and presents no certificate.
	 */
	public HttpClient client() {
		HttpClient current = client;
		String roots = rootsPem();
		if (current == null || !roots.equals(clientRoots)) {
			try {
				KeyStore trust = KeyStore.getInstance("PKCS12");
				trust.load(null, null);
				int i = 0;
				for (java.security.cert.Certificate root : CertificateFactory.getInstance("X.509")
					.generateCertificates(new java.io.ByteArrayInputStream(roots.getBytes()))) {
					trust.setCertificateEntry("root-" + i++, root);
				}
				TrustManagerFactory trustManagers = TrustManagerFactory
					.getInstance(TrustManagerFactory.getDefaultAlgorithm());
				trustManagers.init(trust);
				SSLContext context = SSLContext.getInstance("TLSv1.3");
				context.init(null, trustManagers.getTrustManagers(), null);
				current = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(context).build();
				client = current;
				clientRoots = roots;
			}
			catch (Exception ex) {
				throw new IllegalStateException("cannot trust the control plane's root " + caCertificate() + ": " + ex, ex);
			}
		}
		return current;
	}

	private volatile String clientRoots;

	private String rootsPem() {
		StringBuilder pem = new StringBuilder();
		for (String name : new String[] { "ca.crt", "ca-next.crt", "ca-previous.crt" }) {
			try {
				pem.append(Files.readString(caCertificate().resolveSibling(name)));
			}
			catch (java.nio.file.NoSuchFileException ex) {
				// not in a rotation
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return pem.toString();
	}

	/** POST JSON as the operator; the answer whatever its status. */
	public Http.Response post(String path, String body) {
		try {
			HttpResponse<String> response = client().send(HttpRequest.newBuilder(URI.create(url(path)))
				.header("Authorization", "Bearer " + operatorSecret())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
			return new Http.Response(response.statusCode(), response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** GET as the operator; a refused connection is status -1, so that waits can poll through restarts. */
	public Http.Response get(String path) {
		try {
			HttpResponse<String> response = client().send(HttpRequest.newBuilder(URI.create(url(path)))
				.header("Authorization", "Bearer " + operatorSecret())
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
			return new Http.Response(response.statusCode(), response.body());
		}
		catch (IOException ex) {
			return new Http.Response(-1, ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** GET as the operator, which must answer 200 with JSON. */
	public JsonNode json(String path) {
		Http.Response response = get(path);
		if (response.status() != 200) {
			throw new UncheckedIOException(new IOException("GET " + path + " answered " + response.status() + ": "
					+ response.body()));
		}
		return response.json();
	}

	/** A join token for {@code node} and its services, as {@code bin/meshgate token create} makes one. */
	public String token(String node, List<String> services) {
		try {
			HttpResponse<String> response = client().send(HttpRequest.newBuilder(URI.create(url("/mesh/v1/tokens")))
				.header("Authorization", "Bearer " + operatorSecret())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
						Map.of("node", node, "services", services, "ttl", "10m"))))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new IllegalStateException("no join token for " + node + ": " + response.statusCode() + " "
						+ response.body());
			}
			return JSON.readTree(response.body()).path("token").asString();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}
}
