package io.meshgate.proxy.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.meshgate.client.identity.BundleTrustManager;
import io.meshgate.client.identity.SvidKeyManager;
import io.meshgate.model.identity.Pem;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AttributeKey;

/**
 * Mutual TLS between the mesh's proxies, built once per proxy from its identities and shared by both transports.
 * <ul>
 * <li>As a server (an agent's inbound listener): presents the node's SVID, requires a client certificate that chains
 * to the mesh's trust bundle and carries a SPIFFE ID; TLS 1.3, ALPN {@code h2} and {@code http/1.1}. The verified
 * ID is kept on the connection ({@link #peerOf(Channel)}), where the pipeline reads it: a caller's identity comes
 * from its certificate, never from a header.</li>
 * <li>As a client (to another node's inbound listener): presents this proxy's calling identity (a workload's SVID, or
 * the gateway's) and accepts a server that is a node of the mesh ({@code spiffe://<td>/node/<name>}): which node
 * serves which address is the registry's, where each node registers only itself.</li>
 * </ul>
 * Keys and trust are read at each handshake ({@link SvidKeyManager}, {@link BundleTrustManager}): a renewed SVID or
 * bundle applies to the next connection, and no context is ever swapped under a live one. Connections are pooled,
 * so handshakes are rare.
 */
public final class MeshTls {

	private static final AttributeKey<String> PEER = AttributeKey.valueOf("meshgate.mesh-peer");

	private static final String[] TLS_1_3 = { "TLSv1.3" };

	/**
	 * BoringSSL through netty-tcnative when its native library loads (Linux x86-64), else the JDK's engine. The JDK's
	 * engine cost the agent pair about 40 % of its throughput in bench/run.sh (record encryption and the SSLEngine's
	 * buffer copies on every request); BoringSSL is what nginx and Envoy use.
	 */
	static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

	private final SslContext server;

	private final SslContext client;

	private final SslContext clientH2;

	private final TlsHandshakes inbound;

	private final TlsHandshakes upstream;

	private final SslContext meshOrPublic;

	private MeshTls(SslContext server, SslContext client, SslContext clientH2, SslContext meshOrPublic,
			TlsHandshakes inbound, TlsHandshakes upstream) {
		this.server = server;
		this.client = client;
		this.clientH2 = clientH2;
		this.meshOrPublic = meshOrPublic;
		this.inbound = inbound;
		this.upstream = upstream;
	}

	/**
	 * @param serverSvid the SVID an inbound listener presents (the node's); {@code null} while there is none
	 * @param clientSvid the SVID this proxy calls other nodes as; {@code null} while there is none
	 * @param bundle     the mesh's roots now
	 * @param registry   where handshakes are counted ({@code side} {@code inbound} and {@code upstream})
	 */
	public static MeshTls of(Supplier<SvidKeyManager.Svid> serverSvid, Supplier<SvidKeyManager.Svid> clientSvid,
			Supplier<List<X509Certificate>> bundle, MeterRegistry registry) {
		BundleTrustManager anyMeshIdentity = new BundleTrustManager(bundle,
				id -> id.startsWith("spiffe://"), "an identity of the mesh");
		BundleTrustManager aNode = new BundleTrustManager(bundle,
				id -> java.net.URI.create(id).getPath().startsWith("/node/"), "a node of the mesh");
		try {
			SslContext server = SslContextBuilder.forServer(new SvidKeyManager(serverSvid))
				.sslProvider(PROVIDER)
				.trustManager(anyMeshIdentity)
				.clientAuth(ClientAuth.REQUIRE)
				.protocols(TLS_1_3)
				.applicationProtocolConfig(alpn(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
				.build();
			SslContext client = clientBuilder(clientSvid, aNode).build();
			SslContext clientH2 = clientBuilder(clientSvid, aNode)
				.applicationProtocolConfig(alpn(ApplicationProtocolNames.HTTP_2))
				.build();
			// the SVID only for a server that asks for a certificate of the mesh; the JDK's rules for anyone else
			SslContext meshOrPublic = SslContextBuilder.forClient()
				.sslProvider(SslProvider.JDK)
				.keyManager(new SvidKeyManager(clientSvid, bundle))
				.trustManager(new MeshOrPublicTrust(bundle, aNode))
				.build();
			return new MeshTls(server, client, clientH2, meshOrPublic,
					registry == null ? TlsHandshakes.NONE : new TlsHandshakes(registry, "inbound"),
					registry == null ? TlsHandshakes.NONE : new TlsHandshakes(registry, "upstream"));
		}
		catch (SSLException ex) {
			throw new IllegalStateException("cannot set up the mesh's mutual TLS: " + ex.getMessage(), ex);
		}
	}

	private static SslContextBuilder clientBuilder(Supplier<SvidKeyManager.Svid> svid, BundleTrustManager trust) {
		return SslContextBuilder.forClient()
			.sslProvider(PROVIDER)
			.keyManager(new SvidKeyManager(svid))
			.trustManager(trust)
			.protocols(TLS_1_3)
			// the peer is named by its SPIFFE ID, checked by the trust manager; not by the address it was reached at
			.endpointIdentificationAlgorithm(null);
	}

	private static ApplicationProtocolConfig alpn(String... protocols) {
		return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
				ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
				ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
	}

	/** For an inbound listener: the server side of connections callers open with TLS ({@link TlsOrPlainText}). */
	SslContext serverContext() {
		return server;
	}

	/** The first handler of an inbound listener's connections: TLS for who starts it, plain text passes. */
	public TlsOrPlainText inboundHandler(long handshakeTimeoutMillis) {
		return new TlsOrPlainText(this, handshakeTimeoutMillis);
	}

	/** For the relay's connections to another node's inbound listener (HTTP/1.1). */
	public SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
		return client.newHandler(alloc, host, port);
	}

	/**
	 * For a client that calls nodes of the mesh and public HTTPS servers alike (the gateway's plain Spring Cloud
	 * Gateway routes): mutual TLS with a node, the JDK's trust and host name checks with anyone else.
	 */
	public SslContext meshOrPublicClient() {
		return meshOrPublic;
	}

	/** For reactor-netty's client to another node: HTTP/1.1 (no ALPN) or HTTP/2 (ALPN {@code h2}). */
	public SslContext client(boolean http2) {
		return http2 ? clientH2 : client;
	}

	/** {@code openssl} (BoringSSL) or {@code jdk}: which TLS engine the mesh's connections run on. */
	public static String provider() {
		return PROVIDER == SslProvider.OPENSSL ? "openssl (" + OpenSsl.versionString() + ")" : "jdk";
	}

	public TlsHandshakes inboundHandshakes() {
		return inbound;
	}

	public TlsHandshakes upstreamHandshakes() {
		return upstream;
	}

	/** Keeps the verified SPIFFE ID of the caller on its connection, once its handshake succeeded. */
	static void rememberPeer(Channel channel, SSLSession session) throws SSLPeerUnverifiedException {
		Certificate[] chain = session.getPeerCertificates();
		channel.attr(PEER).set(Pem.spiffeId((X509Certificate) chain[0]));
	}

	/**
	 * The verified SPIFFE ID of whoever opened {@code channel} (its parent's, for an HTTP/2 stream), or {@code null}
	 * for a plain-text connection.
	 */
	public static String peerOf(Channel channel) {
		String peer = channel.attr(PEER).get();
		if (peer == null && channel.parent() != null) {
			peer = channel.parent().attr(PEER).get();
		}
		return peer;
	}
}
