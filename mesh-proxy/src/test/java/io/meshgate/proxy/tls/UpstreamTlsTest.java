package io.meshgate.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * {@link UpstreamTls} against real TLS servers on loopback, through both transports that use it: reactor-netty's
 * client and a raw Netty {@code Bootstrap} as the HTTP/1.1 relay opens them. Each server's answer names the SNI it
 * was sent.
 */
class UpstreamTlsTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	@TempDir
	static Path directory;

	private static TestCertificates certificates;

	private static UpstreamTls trustingTestCa;

	private static DisposableServer good;

	private static DisposableServer wrongHost;

	private static DisposableServer untrusted;

	private static DisposableServer plain;

	private static EventLoopGroup loops;

	@BeforeAll
	static void start() {
		certificates = TestCertificates.generate(directory);
		trustingTestCa = UpstreamTls.of(certificates.ca);
		good = tlsServer(certificates.localhost);
		wrongHost = tlsServer(certificates.wrongHost);
		untrusted = tlsServer(certificates.untrusted);
		plain = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> response.sendString(Mono.just("plain")))
			.bindNow();
		loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
	}

	@AfterAll
	static void stop() {
		for (DisposableServer server : new DisposableServer[] { good, wrongHost, untrusted, plain }) {
			if (server != null) {
				server.disposeNow();
			}
		}
		if (loops != null) {
			loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
		}
	}

	@Test
	void reactorNettyGetsThroughToAnUpstreamWhoseCertificateNamesItsAddress() {
		assertThat(reactorGet(trustingTestCa, good.port())).isEqualTo("200 hello over TLS, sni=[]");
	}

	@Test
	void theRelaysBootstrapGetsThroughByNameAndSendsTheNameAsSni() throws Exception {
		// connected to 127.0.0.1, checked against (and SNI for) localhost: the name is the URI's, not the address's
		assertThat(rawGet(channel -> trustingTestCa.newHandler(channel.alloc(), "localhost", good.port()), good.port()))
			.isEqualTo("200 hello over TLS, sni=[localhost]");
	}

	@Test
	void theRelaysBootstrapGetsThroughByAddress() throws Exception {
		assertThat(rawGet(channel -> trustingTestCa.newHandler(channel.alloc(), "127.0.0.1", good.port()), good.port()))
			.isEqualTo("200 hello over TLS, sni=[]");
	}

	@Test
	void reactorNettyRefusesACertificateForAnotherHost() {
		Throwable failure = catchThrowable(() -> reactorGet(trustingTestCa, wrongHost.port()));
		assertThat(UpstreamTls.failureReason(failure)).isEqualTo("No subject alternative names matching IP address 127.0.0.1 found");
	}

	@Test
	void theRelaysBootstrapRefusesACertificateForAnotherHost() {
		Throwable failure = catchThrowable(
				() -> rawGet(channel -> trustingTestCa.newHandler(channel.alloc(), "localhost", wrongHost.port()), wrongHost.port()));
		assertThat(failure).hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
		assertThat(UpstreamTls.failureReason(failure)).isEqualTo("No subject alternative DNS name matching localhost found.");
	}

	/** The refusal above is the name check's doing: the same trust without it takes the wrong host's certificate. */
	@Test
	void hostnameVerificationIsWhatRefusesTheWrongHost() throws Exception {
		SslHandler handler = trustingTestCa.newHandler(ByteBufAllocator.DEFAULT, "localhost", 443);
		SSLParameters parameters = handler.engine().getSSLParameters();
		assertThat(parameters.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
		assertThat(handler.engine().getPeerHost()).isEqualTo("localhost");
		assertThat(parameters.getServerNames()).containsExactly(new SNIHostName("localhost"));

		SslContext withoutNameCheck = SslContextBuilder.forClient()
			.sslProvider(SslProvider.JDK)
			.trustManager(certificates.ca.toFile())
			.endpointIdentificationAlgorithm(null)
			.build();
		assertThat(rawGet(channel -> withoutNameCheck.newHandler(channel.alloc(), "localhost", wrongHost.port()),
				wrongHost.port())).isEqualTo("200 hello over TLS, sni=[]");
	}

	@Test
	void bothTransportsRefuseACertificateFromAnUntrustedCa() {
		Throwable viaReactor = catchThrowable(() -> reactorGet(trustingTestCa, untrusted.port()));
		Throwable viaBootstrap = catchThrowable(
				() -> rawGet(channel -> trustingTestCa.newHandler(channel.alloc(), "localhost", untrusted.port()), untrusted.port()));
		assertThat(UpstreamTls.failureReason(viaReactor)).isEqualTo("unable to find valid certification path to requested target");
		assertThat(UpstreamTls.failureReason(viaBootstrap)).isEqualTo("unable to find valid certification path to requested target");
	}

	@Test
	void theJdksDefaultTrustStoreRefusesTheTestCa() {
		UpstreamTls jdkDefault = UpstreamTls.of(null);
		Throwable viaReactor = catchThrowable(() -> reactorGet(jdkDefault, good.port()));
		Throwable viaBootstrap = catchThrowable(
				() -> rawGet(channel -> jdkDefault.newHandler(channel.alloc(), "localhost", good.port()), good.port()));
		assertThat(UpstreamTls.failureReason(viaReactor)).isEqualTo("unable to find valid certification path to requested target");
		assertThat(UpstreamTls.failureReason(viaBootstrap)).isEqualTo("unable to find valid certification path to requested target");
		assertThat(jdkDefault).hasToString("UpstreamTls[trust=the JDK's default trust store]");
	}

	@Test
	void anUpstreamThatDoesNotSpeakTlsIsToldApart() {
		Throwable failure = catchThrowable(
				() -> rawGet(channel -> trustingTestCa.newHandler(channel.alloc(), "localhost", plain.port()), plain.port()));
		assertThat(UpstreamTls.failureReason(failure)).isEqualTo("not an SSL/TLS record: the upstream does not speak TLS on that port");
	}

	@Test
	void aMissingTrustFileIsNamed() {
		Path missing = directory.resolve("no-such-ca.pem");
		assertThatThrownBy(() -> UpstreamTls.of(missing)).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("upstream trust file " + missing + ": no such file");
	}

	@Test
	void aTrustFileWithoutCertificatesIsNamed() throws IOException {
		Path text = Files.writeString(directory.resolve("not-pem.pem"), "just some text\n");
		assertThatThrownBy(() -> UpstreamTls.of(text)).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("upstream trust file " + text + ": holds no certificate (expected PEM blocks \"-----BEGIN CERTIFICATE-----\")");
		Path key = certificates.localhost.privateKey();
		assertThatThrownBy(() -> UpstreamTls.of(key)).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("upstream trust file " + key
					+ ": holds no certificate, only PRIVATE KEY (expected PEM blocks \"-----BEGIN CERTIFICATE-----\")");
	}

	@Test
	void aGarbledOrCutOffCertificateInTheTrustFileIsNamed() throws IOException {
		Path garbled = Files.writeString(directory.resolve("garbled.pem"),
				"-----BEGIN CERTIFICATE-----\nTUlJQ2dhcmJhZ2U=\n-----END CERTIFICATE-----\n");
		assertThatThrownBy(() -> UpstreamTls.of(garbled)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("upstream trust file " + garbled + ": certificate 1 is not an X.509 certificate (");
		String ca = Files.readString(certificates.ca);
		Path cutOff = Files.writeString(directory.resolve("cut-off.pem"), ca.substring(0, ca.length() / 2));
		assertThatThrownBy(() -> UpstreamTls.of(cutOff)).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("upstream trust file " + cutOff + ": a PEM block has no matching \"-----END\" line (cut off?)");
	}

	@Test
	void everyCertificateOfTheTrustFileIsTrusted() throws Exception {
		// localhost's chain file: its leaf, then the CA; only the second vouches for wrong.example's certificate
		Path chainFile = certificates.localhost.certificate();
		UpstreamTls chain = UpstreamTls.of(chainFile);
		assertThat(rawGet(channel -> chain.newHandler(channel.alloc(), "wrong.example", wrongHost.port()), wrongHost.port()))
			.isEqualTo("200 hello over TLS, sni=[wrong.example]");
		assertThat(chain).hasToString("UpstreamTls[trust=" + chainFile + "]");
	}

	@Test
	void aFailureOutsideTlsHasNoTlsReason() {
		assertThat(UpstreamTls.failureReason(new ConnectException("Connection refused"))).isNull();
		assertThat(UpstreamTls.failureReason(new ClosedChannelException())).isNull();
		assertThat(UpstreamTls.failureReason(null)).isNull();
	}

	@Test
	void theReasonIsTheDeepestMessageOnOneLineWithoutClassNames() {
		SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed: details");
		handshake.initCause(new IOException("sun.security.provider.certpath.SunCertPathBuilderException: first line\nsecond line"));
		assertThat(UpstreamTls.failureReason(new DecoderException(handshake))).isEqualTo("first line");
		assertThat(UpstreamTls.failureReason(new SSLException((String) null))).isEqualTo("TLS handshake failed");
	}

	private static DisposableServer tlsServer(TestCertificates.Server certificate) {
		SslContext context;
		try {
			context = SslContextBuilder.forServer(certificate.certificate().toFile(), certificate.privateKey().toFile())
				.sslProvider(SslProvider.JDK)
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException(ex);
		}
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.secure(spec -> spec.sslContext(context))
			.handle((request, response) -> {
				List<String> sni = new ArrayList<>();
				request.withConnection(connection -> {
					ExtendedSSLSession session = (ExtendedSSLSession) connection.channel()
						.pipeline()
						.get(SslHandler.class)
						.engine()
						.getSession();
					for (SNIServerName name : session.getRequestedServerNames()) {
						sni.add(((SNIHostName) name).getAsciiName());
					}
				});
				return response.sendString(Mono.just("hello over TLS, sni=" + sni));
			})
			.bindNow();
	}

	/** Status and body of {@code GET https://127.0.0.1:port/} through reactor-netty, as the forwarder would send it. */
	private static String reactorGet(UpstreamTls tls, int port) {
		return HttpClient.create(ConnectionProvider.newConnection())
			.secure(spec -> spec.sslContext(tls.context()))
			.get()
			.uri("https://127.0.0.1:" + port + "/")
			.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map(text -> response.status().code() + " " + text))
			.block(TIMEOUT);
	}

	/**
	 * Status and body of a GET on a connection to 127.0.0.1:port opened as the relay opens them (its own Bootstrap,
	 * TLS first, then Netty's HTTP/1.1 codec); fails with what the pipeline failed with.
	 */
	private static String rawGet(Function<Channel, SslHandler> tls, int port) throws Exception {
		CompletableFuture<String> answer = new CompletableFuture<>();
		Channel channel = new Bootstrap().group(loops)
			.channel(NioSocketChannel.class)
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) {
					SslHandler ssl = tls.apply(channel);
					ssl.handshakeFuture().addListener(handshake -> {
						if (!handshake.isSuccess()) {
							answer.completeExceptionally(handshake.cause());
						}
					});
					channel.pipeline()
						.addLast(ssl, new HttpClientCodec(), new HttpObjectAggregator(1 << 16))
						.addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
							@Override
							protected void channelRead0(ChannelHandlerContext context, FullHttpResponse response) {
								answer.complete(response.status().code() + " " + response.content().toString(StandardCharsets.UTF_8));
							}

							@Override
							public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
								answer.completeExceptionally(cause);
								context.close();
							}

							@Override
							public void channelInactive(ChannelHandlerContext context) {
								answer.completeExceptionally(new ClosedChannelException());
							}
						});
				}
			})
			.connect(new InetSocketAddress("127.0.0.1", port))
			.syncUninterruptibly()
			.channel();
		try {
			FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
			request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port);
			channel.writeAndFlush(request);
			return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		finally {
			channel.close();
		}
	}
}
