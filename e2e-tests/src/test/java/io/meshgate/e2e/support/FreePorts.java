package io.meshgate.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Ephemeral loopback ports, so tests never clash with a running stack or each other. */
public final class FreePorts {

	/** Handed out already: the system may offer a released port again, and two servers of a test must not share it. */
	private static final Set<Integer> ISSUED = ConcurrentHashMap.newKeySet();

	/** Sockets holding closed ports, kept for the test run. */
	private static final List<SocketChannel> HELD = new ArrayList<>();

	private FreePorts() {
	}

	public static int next() {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				socket.setReuseAddress(true);
				if (ISSUED.add(socket.getLocalPort())) {
					return socket.getLocalPort();
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/**
	 * A port nothing listens on for the rest of the run: bound by a socket that never listens nor connects, so no
	 * server can take it and a connection to it is refused (a port that was merely free could be taken by the next
	 * server a test starts, which then answers instead of refusing).
	 */
	public static synchronized int closed() {
		try {
			SocketChannel holder = SocketChannel.open();
			holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			HELD.add(holder);
			int port = ((InetSocketAddress) holder.getLocalAddress()).getPort();
			ISSUED.add(port);
			return port;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
