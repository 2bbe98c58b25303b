package io.meshgate.proxy.core;

import java.util.concurrent.ThreadLocalRandom;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * The id that ties a proxy's own answer to its log line: the caller's {@code x-request-id} when it sent a sane one
 * (so a trace through several proxies keeps one id), else a new random one. Made only when the proxy answers.
 */
public final class RequestIds {

	public static final String HEADER = "x-request-id";

	private RequestIds() {
	}

	public static String of(HttpHeaders headers) {
		String given = headers == null ? null : headers.get(HEADER);
		return given != null && isSane(given) ? given : next();
	}

	public static String next() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
	}

	/** At most 128 characters of letters, digits, {@code - _ . :}: nothing a log or a JSON body must escape. */
	private static boolean isSane(String id) {
		if (id.isEmpty() || id.length() > 128) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
					|| c == '.' || c == ':')) {
				return false;
			}
		}
		return true;
	}
}
