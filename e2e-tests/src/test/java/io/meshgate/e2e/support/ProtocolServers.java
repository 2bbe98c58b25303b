package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * Workloads speaking what the demo services cannot: HTTP/2 (cleartext), WebSocket and gRPC. They run inside the test
 * JVM and sit behind an agent like any workload.
 */
public final class ProtocolServers implements AutoCloseable {

	/** gRPC methods with a plain UTF-8 string as message: no generated code needed. */
	public static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);

	public static final MethodDescriptor<String, String> SPELL = method("Spell",
			MethodDescriptor.MethodType.SERVER_STREAMING);

	public final int httpPort = FreePorts.next();

	public final int grpcPort = FreePorts.next();

	private final DisposableServer http;

	private final Server grpc;

	public ProtocolServers() {
		http = HttpServer.create()
			.host("127.0.0.1")
			.port(httpPort)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.route(routes -> routes
				.get("/version", (request, response) -> response.sendString(Mono.just(request.version().text())))
				.ws("/ws", (in, out) -> out.sendString(in.receive().asString().map(text -> "echo: " + text))))
			.bindNow();
		ServerServiceDefinition echo = ServerServiceDefinition.builder("demo.Echo")
			.addMethod(SAY, ServerCalls.asyncUnaryCall((name, reply) -> {
				if (name.equals("nobody")) {
					reply.onError(Status.NOT_FOUND.withDescription("no such person").asRuntimeException());
					return;
				}
				reply.onNext("hello " + name);
				reply.onCompleted();
			}))
			.addMethod(SPELL, ServerCalls.asyncServerStreamingCall((word, reply) -> {
				for (char letter : word.toCharArray()) {
					reply.onNext(String.valueOf(letter).toUpperCase(Locale.ROOT));
				}
				reply.onCompleted();
			}))
			.build();
		grpc = startGrpc(grpcPort, echo);
	}

	/** A gRPC server on loopback with one service, started. */
	static Server startGrpc(int port, ServerServiceDefinition service) {
		try {
			return NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", port))
				.addService(service)
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
		return method("demo.Echo", name, type);
	}

	/** A gRPC method of {@code service} whose messages are plain UTF-8 strings. */
	public static MethodDescriptor<String, String> method(String service, String name,
			MethodDescriptor.MethodType type) {
		MethodDescriptor.Marshaller<String> utf8 = new MethodDescriptor.Marshaller<>() {
			@Override
			public java.io.InputStream stream(String value) {
				return new java.io.ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
			}

			@Override
			public String parse(java.io.InputStream stream) {
				try {
					return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		};
		return MethodDescriptor.<String, String>newBuilder()
			.setType(type)
			.setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
			.setRequestMarshaller(utf8)
			.setResponseMarshaller(utf8)
			.build();
	}

	@Override
	public void close() {
		http.disposeNow();
		grpc.shutdownNow();
	}
}
