package io.meshgate.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import reactor.netty.http.Http2SslContextSpec;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;

/**
 * TLS towards upstreams ({@code https://} endpoints), built once per proxy and shared by both transports: the
 * HTTP/1.1 relay puts {@link #newHandler} first in the pipeline of the connections its own {@code Bootstrap} opens,
 * reactor-netty's client takes {@link #context()} through {@code HttpClient.secure(spec -> spec.sslContext(ctx))}.
 * One context, so both trust the same certificates and check names the same way.
 * <p>
 * Trust is either the PEM file of CA certificates the operator names (upstreams on a private CA, the usual case
 * inside a mesh) or, without one, the JDK's default trust store. Host names are always verified ("HTTPS" endpoint
 * identification, set here explicitly rather than left to Netty's default, which a system property can turn off):
 * without it any certificate from a trusted CA would do for any upstream. HTTP/1.1 only: the context offers no
 * ALPN, so a client that wants HTTP/2 over it needs a context of its own.
 */
public final class UpstreamTls {

	/** A JDK message sometimes starts with the {@code toString()} of the exception it wraps. */
	private static final Pattern CLASS_NAME_PREFIX = Pattern.compile("^(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*: ");

	private static final int MAX_REASON = 200;

	private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

	private final SslContext context;

	private final String trust;

	private final TrustManagerFactory trustManagers;

	private final TlsHandshakes handshakes;

	private UpstreamTls(SslContext context, String trust, TrustManagerFactory trustManagers,
			TlsHandshakes handshakes) {
		this.context = context;
		this.trust = trust;
		this.trustManagers = trustManagers;
		this.handshakes = handshakes;
	}

	/** The same TLS, its handshakes counted in {@code registry} ({@link TlsHandshakes}). */
	public UpstreamTls countingIn(io.micrometer.core.instrument.MeterRegistry registry) {
		return new UpstreamTls(context, trust, trustManagers, new TlsHandshakes(registry, "upstream"));
	}

	/** Where both transports report each handshake's end. */
	public TlsHandshakes handshakes() {
		return handshakes;
	}

	/**
	 * The upstream TLS of a proxy that trusts the CA certificates in the PEM file {@code trustCertificatesOrNull},
	 * or the JDK's default trust store when it is {@code null}.
	 * @throws IllegalArgumentException when the file cannot be read or holds no usable certificate; thrown at start,
	 * not at the first request, and naming the file
	 */
	public static UpstreamTls of(Path trustCertificatesOrNull) {
		SslContextBuilder builder = SslContextBuilder.forClient()
			.sslProvider(SslProvider.JDK)
			.endpointIdentificationAlgorithm("HTTPS");
		TrustManagerFactory trusted = trustCertificatesOrNull == null ? null : trustManagers(trustCertificatesOrNull);
		if (trusted != null) {
			builder.trustManager(trusted);
		}
		try {
			return new UpstreamTls(builder.build(),
					trustCertificatesOrNull == null ? "the JDK's default trust store" : trustCertificatesOrNull.toString(),
					trusted, TlsHandshakes.NONE);
		}
		catch (SSLException ex) {
			throw new IllegalStateException("cannot set up TLS to upstreams: " + ex.getMessage(), ex);
		}
	}

	/** The client context, for reactor-netty's {@code HttpClient.secure(spec -> spec.sslContext(context()))}. */
	public SslContext context() {
		return this.context;
	}

	/**
	 * The same trust for HTTP/2 over TLS (a gRPC call to an {@code https://} endpoint): reactor-netty's HTTP/2 spec
	 * adds the ALPN that {@link #context()} lacks; reactor-netty verifies host names on every context it is given.
	 */
	public Http2SslContextSpec http2() {
		Http2SslContextSpec spec = Http2SslContextSpec.forClient();
		return trustManagers == null ? spec : spec.configure(builder -> builder.trustManager(trustManagers));
	}

	/**
	 * A handler for a connection to {@code host}:{@code port}, to put first in a pipeline. {@code host} is what the
	 * upstream's certificate must name (the host of its URI, brackets of an IPv6 literal allowed), not the address
	 * connected to. A host name also goes out as SNI, single-label names included (the JDK sends none for a name
	 * without a dot, such as a container's service name).
	 */
	public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
		String peer = peerHost(host);
		SslHandler handler = this.context.newHandler(alloc, peer, port);
		if (!NetUtil.isValidIpV4Address(peer) && !NetUtil.isValidIpV6Address(peer)) {
			SNIHostName name;
			try {
				name = new SNIHostName(peer);
			}
			catch (IllegalArgumentException notAHostName) {
				// e.g. an underscore: no SNI then, as the JDK would do; the certificate is still checked against it
				return handler;
			}
			SSLEngine engine = handler.engine();
			SSLParameters parameters = engine.getSSLParameters();
			parameters.setServerNames(List.of(name));
			engine.setSSLParameters(parameters);
		}
		return handler;
	}

	/**
	 * Why a connection failed, when it failed in TLS (an {@link SSLException} in the cause chain): the JDK's own words
	 * from the deepest cause that has any, on one line, e.g. "No subject alternative DNS name matching localhost
	 * found." or "unable to find valid certification path to requested target". {@code null} when the failure is not
	 * TLS, so callers can tell a certificate problem from a refused connection or a timeout.
	 */
	public static String failureReason(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		Throwable tls = failure;
		while (tls != null && !(tls instanceof SSLException) && seen.add(tls)) {
			tls = tls.getCause();
		}
		if (!(tls instanceof SSLException)) {
			return null;
		}
		if (tls instanceof NotSslRecordException) {
			// its message goes on with a hex dump of what came instead
			return "not an SSL/TLS record: the upstream does not speak TLS on that port";
		}
		String reason = null;
		for (Throwable cause = tls; cause != null && seen.add(cause); cause = cause.getCause()) {
			String message = oneLine(cause.getMessage());
			if (!message.isEmpty()) {
				if (cause instanceof CertificateExpiredException) {
					message = "certificate expired: " + message;
				}
				else if (cause instanceof CertificateNotYetValidException) {
					message = "certificate not yet valid: " + message;
				}
				reason = message;
			}
		}
		return reason != null ? reason : "TLS handshake failed";
	}

	@Override
	public String toString() {
		return "UpstreamTls[trust=" + this.trust + "]";
	}

	private static String peerHost(String host) {
		String peer = host;
		if (peer.startsWith("[") && peer.endsWith("]")) {
			peer = peer.substring(1, peer.length() - 1);
		}
		if (peer.endsWith(".") && peer.length() > 1) {
			peer = peer.substring(0, peer.length() - 1);
		}
		return peer;
	}

	private static String oneLine(String message) {
		if (message == null) {
			return "";
		}
		String line = message.strip();
		int end = line.indexOf('\n');
		if (end >= 0) {
			line = line.substring(0, end).strip();
		}
		String previous;
		do {
			previous = line;
			line = CLASS_NAME_PREFIX.matcher(line).replaceFirst("");
		}
		while (!line.equals(previous));
		return line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "..." : line;
	}

	/**
	 * The trust file's certificates, read here rather than by Netty so that a mistake (the key instead of the
	 * certificate, a cut-off paste) is told at start with the file's name and what is in it.
	 */
	private static TrustManagerFactory trustManagers(Path file) {
		String pem;
		try {
			pem = Files.readString(file, StandardCharsets.ISO_8859_1);
		}
		catch (NoSuchFileException ex) {
			throw badTrust(file, "no such file", ex);
		}
		catch (AccessDeniedException ex) {
			throw badTrust(file, "not readable (permission denied)", ex);
		}
		catch (IOException ex) {
			throw badTrust(file, "cannot be read: " + oneLine(ex.getMessage()), ex);
		}
		List<Certificate> certificates = new ArrayList<>();
		Set<String> otherBlocks = new LinkedHashSet<>();
		try {
			CertificateFactory factory = CertificateFactory.getInstance("X.509");
			Matcher block = PEM_BLOCK.matcher(pem);
			int blocks = 0;
			while (block.find()) {
				blocks++;
				if (!block.group(1).equals("CERTIFICATE")) {
					otherBlocks.add(block.group(1));
					continue;
				}
				int number = certificates.size() + 1;
				byte[] der;
				try {
					der = Base64.getMimeDecoder().decode(block.group(2));
				}
				catch (IllegalArgumentException ex) {
					throw badTrust(file, "certificate " + number + " is not valid base64 (" + oneLine(ex.getMessage()) + ")", ex);
				}
				try {
					certificates.add(factory.generateCertificate(new ByteArrayInputStream(der)));
				}
				catch (CertificateException ex) {
					throw badTrust(file, "certificate " + number + " is not an X.509 certificate (" + oneLine(ex.getMessage()) + ")", ex);
				}
			}
			if (pem.split("-----BEGIN ", -1).length - 1 > blocks) {
				throw badTrust(file, "a PEM block has no matching \"-----END\" line (cut off?)", null);
			}
			if (certificates.isEmpty()) {
				throw badTrust(file, "holds no certificate" + (otherBlocks.isEmpty() ? "" : ", only " + String.join(", ", otherBlocks))
						+ " (expected PEM blocks \"-----BEGIN CERTIFICATE-----\")", null);
			}
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			for (int n = 0; n < certificates.size(); n++) {
				store.setCertificateEntry("trusted-" + n, certificates.get(n));
			}
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
			return trust;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw badTrust(file, "its certificates cannot be trusted: " + oneLine(ex.getMessage()), ex);
		}
	}

	private static IllegalArgumentException badTrust(Path file, String what, Exception cause) {
		return new IllegalArgumentException("upstream trust file " + file + ": " + what, cause);
	}
}
