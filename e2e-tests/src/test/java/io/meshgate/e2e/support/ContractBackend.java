package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import io.grpc.Server;
import io.meshgate.proxy.tls.TestCertificates;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The workload behind every case of the pipeline's contract suite, in the test JVM: HTTP/1.1 and h2c on one port
 * (any method), WebSocket, and a gRPC server with a slow stream and a slow unary call.
 */
public final class ContractBackend implements AutoCloseable {

	public static final long BIG = 100L * 1024 * 1024;

	public final int httpPort = FreePorts.next();

	public final int grpcPort = FreePorts.next();

	/** https, with a certificate for 127.0.0.1 from the test CA */
	public final int tlsPort = FreePorts.next();

	/** https, with a certificate from the test CA for another host name */
	public final int wrongHostTlsPort = FreePorts.next();

	public final TestCertificates certificates;

	private final java.util.Set<String> failedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();

	/** The targets of the shadow copies (x-meshgate-shadow: true) that reached /echo. */
	public final java.util.Queue<String> shadowed = new java.util.concurrent.ConcurrentLinkedQueue<>();

	private final DisposableServer http;

	private final DisposableServer tls;

	private final DisposableServer wrongHostTls;

	private final Server grpc;

	/** @param work where the test certificates are written */
	public ContractBackend(java.nio.file.Path work) {
		try {
			certificates = TestCertificates.generate(java.nio.file.Files.createDirectories(work));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		tls = tlsEcho(tlsPort, certificates.localhost);
		wrongHostTls = tlsEcho(wrongHostTlsPort, certificates.wrongHost);
		http = HttpServer.create()
			.host("127.0.0.1")
			.port(httpPort)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.route(routes -> routes
				.ws("/ws", (in, out) -> out.sendString(in.receive().asString().map(text -> "echo: " + text)))
				.route(request -> request.uri().startsWith("/echo"),
						(request, response) -> record(request).receive()
							.then(response.header("x-served-path", request.uri()).sendString(Mono.just("echo")).then()))
				.route(request -> request.uri().startsWith("/headers"),
						(request, response) -> response.sendString(Mono.just(
								"xff=" + request.requestHeaders().get("x-forwarded-for") + "|xfp="
										+ request.requestHeaders().get("x-forwarded-proto") + "|xfh="
										+ request.requestHeaders().get("x-forwarded-host") + "|forwarded="
										+ request.requestHeaders().get("forwarded") + "|real="
										+ request.requestHeaders().get("x-real-ip") + "|via="
										+ request.requestHeaders().get("via"))))
				// the W3C trace context the service got: what the proxies in front of it propagated
				.route(request -> request.uri().startsWith("/trace"),
						(request, response) -> response.sendString(Mono.just("traceparent="
								+ request.requestHeaders().get("traceparent") + "|tracestate="
								+ request.requestHeaders().get("tracestate"))))
				.route(request -> request.uri().startsWith("/slow"),
						(request, response) -> response.sendString(Mono.delay(Duration.ofMillis(1500)).map(t -> "late")))
				.route(request -> request.uri().startsWith("/stream"),
						(request, response) -> response.sendString(
								Flux.interval(Duration.ZERO, Duration.ofMillis(700)).take(3).map(i -> "part" + i + ";")))
				// fails (closes the connection) the first time a path is asked for, serves it after: a retry's case
				.route(request -> request.uri().startsWith("/fail-once/"),
						(request, response) -> failedOnce.add(request.uri())
								? Mono.fromRunnable(() -> ((Connection) request).channel().close())
								: request.receive().then(response.sendString(Mono.just("recovered")).then()))
				.route(request -> request.uri().startsWith("/close"),
						(request, response) -> Mono.fromRunnable(() -> ((Connection) request).channel().close()))
				.route(request -> request.uri().startsWith("/sha256"),
						(request, response) -> request.receive()
							.reduce(sha256(), (digest, buffer) -> {
								digest.update(buffer.nioBuffer());
								return digest;
							})
							.flatMap(digest -> response.sendString(Mono.just(HexFormat.of().formatHex(digest.digest())))
								.then()))
				.route(request -> request.uri().startsWith("/big"),
						(request, response) -> response.header("content-length", String.valueOf(BIG))
							.send(Flux.range(0, (int) (BIG / 65536)).map(i -> Unpooled.wrappedBuffer(new byte[65536])))))
			.bindNow();
		ServerServiceDefinition echo = ServerServiceDefinition.builder("contract.Echo")
			.addMethod(ProtocolServers.method("contract.Echo", "Slow", io.grpc.MethodDescriptor.MethodType.UNARY),
					ServerCalls.asyncUnaryCall((name, reply) -> Mono.delay(Duration.ofSeconds(2)).subscribe(t -> {
						reply.onNext("slow " + name);
						reply.onCompleted();
					})))
			// UNAVAILABLE (trailers-only: no message before it) the first time a name is asked for, an answer after
			.addMethod(ProtocolServers.method("contract.Echo", "FlakyOnce", io.grpc.MethodDescriptor.MethodType.UNARY),
					ServerCalls.asyncUnaryCall((name, reply) -> {
						if (failedOnce.add("grpc:" + name)) {
							reply.onError(io.grpc.Status.UNAVAILABLE.withDescription("not yet").asRuntimeException());
						}
						else {
							reply.onNext("recovered " + name);
							reply.onCompleted();
						}
					}))
			.addMethod(ProtocolServers.method("contract.Echo", "Drip",
					io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING),
					ServerCalls.asyncServerStreamingCall((word, reply) -> Flux.interval(Duration.ZERO, Duration.ofMillis(1500))
						.take(3)
						.doOnNext(i -> reply.onNext(word + i))
						.doOnComplete(reply::onCompleted)
						.subscribe()))
			.build();
		grpc = ProtocolServers.startGrpc(grpcPort, echo);
	}

	/** HTTP/1.1 and, by ALPN, HTTP/2 over TLS: answers "tls echo" to anything. */
	private static DisposableServer tlsEcho(int port, TestCertificates.Server certificate) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.secure(spec -> spec.sslContext(reactor.netty.http.Http2SslContextSpec
				.forServer(certificate.certificate().toFile(), certificate.privateKey().toFile())))
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
			.handle((request, response) -> request.receive().then(response.sendString(Mono.just("tls echo")).then()))
			.bindNow();
	}

	private HttpServerRequest record(HttpServerRequest request) {
		if ("true".equals(request.requestHeaders().get("x-meshgate-shadow"))) {
			shadowed.add(request.uri());
		}
		return request;
	}

	public static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		http.disposeNow();
		tls.disposeNow();
		wrongHostTls.disposeNow();
		grpc.shutdownNow();
	}
}
