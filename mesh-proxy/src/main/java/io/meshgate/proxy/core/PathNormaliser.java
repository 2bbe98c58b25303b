package io.meshgate.proxy.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place a request path is normalised, once, when the {@link RequestHead} is built, so route matching,
 * {@code strip-prefix}, east-west {@code path-prefix} and (later) authorization policies all see the path that is
 * forwarded, and a prefix is a boundary: {@code /api/orders/../admin} is {@code /admin} to every step and to the
 * service, as to any backend that normalises.
 * <ul>
 * <li>Percent-encodings of unreserved characters (RFC 3986 2.3: letters, digits, {@code - . _ ~}) are decoded, the
 * others keep their encoding with upper-case hex; {@code %252e} stays {@code %252E}, never {@code .}.</li>
 * <li>Dot segments are removed (RFC 3986 5.2.4), also when encoded ({@code %2e%2E}); {@code ..} never climbs above
 * the root. Empty segments ({@code //}) are merged.</li>
 * <li>Refused (400): an encoded {@code /} or {@code \} ({@code %2F}, {@code %5C}) and a raw {@code \}, unless
 * {@link EncodedSlashes#PASS} keeps them as they are; control characters and NUL, raw or encoded; a malformed
 * percent-encoding; a {@code .} or {@code ..} segment carrying {@code ;} parameters ({@code /..;/}), which some
 * servlet containers treat as a dot segment.</li>
 * <li>Raw bytes outside ASCII are percent-encoded; {@code ;} parameters of other segments pass unchanged.</li>
 * </ul>
 * A path that needs none of this (the common case) is returned as it is, without allocating.
 */
public final class PathNormaliser {

	/** What to do with an encoded slash or backslash, which backends disagree about. */
	public enum EncodedSlashes {
		/** refuse the request with 400 (the default) */
		REFUSE,
		/** keep them encoded as they are: for services whose ids contain slashes */
		PASS
	}

	public static final PathNormaliser STRICT = new PathNormaliser(EncodedSlashes.REFUSE);

	private final EncodedSlashes encodedSlashes;

	public PathNormaliser(EncodedSlashes encodedSlashes) {
		this.encodedSlashes = encodedSlashes;
	}

	/** Why a path was refused; without a stack trace, as attack traffic may throw it often. */
	public static final class InvalidPath extends RuntimeException {

		InvalidPath(String reason) {
			super(reason, null, false, false);
		}
	}

	/**
	 * @param rawPath the path of the request target as received (no query)
	 * @return the normalised path
	 * @throws InvalidPath when the path is refused, saying why
	 */
	public String normalise(String rawPath) {
		if (rawPath.equals("*")) {
			return rawPath; // OPTIONS * : the server itself
		}
		if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
			throw new InvalidPath("the path must start with '/'");
		}
		if (isPlain(rawPath)) {
			return rawPath;
		}
		return removeDotSegments(decode(rawPath));
	}

	/** Nothing to decode, no dot or empty segment, nothing to refuse. */
	private static boolean isPlain(String path) {
		char previous = 0;
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c == '%' || c == '\\' || c < 0x20 || c >= 0x7f || (c == '/' && previous == '/')
					|| (c == '.' && previous == '/')) {
				return false;
			}
			previous = c;
		}
		return true;
	}

	/** Percent-decoding of unreserved characters, upper-case hex for the rest, and every refusal but dots. */
	private String decode(String path) {
		StringBuilder out = new StringBuilder(path.length());
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c == '%') {
				if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
						|| Character.digit(path.charAt(i + 2), 16) < 0) {
					throw new InvalidPath("malformed percent-encoding in the path");
				}
				int value = Character.digit(path.charAt(i + 1), 16) * 16 + Character.digit(path.charAt(i + 2), 16);
				i += 2;
				if (isUnreserved(value)) {
					out.append((char) value);
				}
				else if (value == '/' || value == '\\') {
					if (encodedSlashes == EncodedSlashes.REFUSE) {
						throw new InvalidPath("an encoded '" + (char) value + "' in the path");
					}
					appendEncoded(out, value);
				}
				else if (value < 0x20 || value == 0x7f) {
					throw new InvalidPath("an encoded control character in the path");
				}
				else {
					appendEncoded(out, value);
				}
			}
			else if (c == '\\') {
				if (encodedSlashes == EncodedSlashes.REFUSE) {
					throw new InvalidPath("a '\\' in the path");
				}
				appendEncoded(out, c);
			}
			else if (c < 0x20 || c == 0x7f) {
				throw new InvalidPath("a control character in the path");
			}
			else if (c > 0x7f) {
				// the HTTP codec hands over the request line's bytes one per char
				appendEncoded(out, c & 0xff);
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	/** RFC 3986 5.2.4 over whole segments, with empty segments merged; a trailing slash stays. */
	private static String removeDotSegments(String path) {
		String[] segments = path.substring(1).split("/", -1);
		List<String> kept = new ArrayList<>(segments.length);
		boolean trailingSlash = false;
		for (int i = 0; i < segments.length; i++) {
			String segment = segments[i];
			boolean last = i == segments.length - 1;
			String name = withoutParameters(segment);
			if (segment.isEmpty()) {
				trailingSlash = last && !kept.isEmpty();
				continue;
			}
			if (name.equals(".") || name.equals("..")) {
				if (!name.equals(segment)) {
					throw new InvalidPath("a dot segment with parameters ('" + segment + "') in the path");
				}
				if (name.equals("..") && !kept.isEmpty()) {
					kept.remove(kept.size() - 1);
				}
				trailingSlash = last;
				continue;
			}
			kept.add(segment);
			trailingSlash = false;
		}
		StringBuilder out = new StringBuilder(path.length());
		for (String segment : kept) {
			out.append('/').append(segment);
		}
		if (out.length() == 0 || trailingSlash) {
			out.append('/');
		}
		return out.toString();
	}

	private static String withoutParameters(String segment) {
		int semicolon = segment.indexOf(';');
		return semicolon < 0 ? segment : segment.substring(0, semicolon);
	}

	private static boolean isUnreserved(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				|| c == '_' || c == '~';
	}

	private static void appendEncoded(StringBuilder out, int value) {
		out.append('%').append(Character.toUpperCase(Character.forDigit(value >> 4, 16)))
			.append(Character.toUpperCase(Character.forDigit(value & 0xf, 16)));
	}

	@Override
	public String toString() {
		return "PathNormaliser[encoded slashes: " + encodedSlashes.name().toLowerCase(Locale.ROOT) + "]";
	}
}
