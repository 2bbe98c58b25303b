package io.meshgate.proxy.core;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Reads one cookie of a request, for the routes that match on cookies at the edge and east-west. Scans the
 * {@code Cookie} headers in place (RFC 6265 5.4: {@code name=value} pairs separated by {@code ;}), allocating only the
 * value found, rather than decoding every cookie into objects for each request as a full parser would.
 */
public final class Cookies {

	private Cookies() {
	}

	/** The value of cookie {@code name}, or {@code null} when the request has no such cookie. */
	public static String value(HttpHeaders headers, String name) {
		for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
			String found = value(header, name);
			if (found != null) {
				return found;
			}
		}
		return null;
	}

	static String value(String header, String name) {
		int length = header.length();
		int start = 0;
		while (start < length) {
			while (start < length && (header.charAt(start) == ' ' || header.charAt(start) == '\t')) {
				start++;
			}
			int end = header.indexOf(';', start);
			if (end < 0) {
				end = length;
			}
			int equals = header.indexOf('=', start);
			if (equals > start && equals < end && equals - start == name.length()
					&& header.regionMatches(start, name, 0, name.length())) {
				int valueEnd = end;
				while (valueEnd > equals + 1 && header.charAt(valueEnd - 1) == ' ') {
					valueEnd--;
				}
				String value = header.substring(equals + 1, valueEnd);
				// a quoted value stands for what is between the quotes (RFC 6265's cookie-value grammar)
				return value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"'
						? value.substring(1, value.length() - 1) : value;
			}
			start = end + 1;
		}
		return null;
	}
}
