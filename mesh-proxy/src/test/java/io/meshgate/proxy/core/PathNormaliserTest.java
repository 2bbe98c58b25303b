package io.meshgate.proxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.meshgate.proxy.core.PathNormaliser.EncodedSlashes;

/**
 * The path every step matches and every service gets: one table of what a caller may send and what it becomes, or
 * why it is refused. {@code REFUSED} rows must fail with the reason given; {@code pass} rows use
 * {@code encoded-slashes: pass}.
 */
class PathNormaliserTest {

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			# plain paths pass untouched
			/                                  | /
			/api/orders/1                      | /api/orders/1
			/api/orders/                       | /api/orders/
			*                                  | *
			# dot segments (RFC 3986 5.2.4)
			/api/orders/../admin               | /api/admin
			/api/orders/./1                    | /api/orders/1
			/api/orders/1/.                    | /api/orders/1/
			/api/orders/1/..                   | /api/orders/
			/..                                | /
			/../../etc/passwd                  | /etc/passwd
			/a/b/c/../../d                     | /a/d
			/a/./b/../../c/                    | /c/
			/.well-known/acme                  | /.well-known/acme
			/a/..b/c                           | /a/..b/c
			/a/b../c                           | /a/b../c
			# encoded dots are dots
			/api/orders/%2e%2e/admin           | /api/admin
			/api/orders/%2E%2E/admin           | /api/admin
			/api/orders/.%2e/admin             | /api/admin
			/api/orders/%2e/1                  | /api/orders/1
			# double encoding stays literal (only the %25 is a percent-encoding)
			/api/orders/%252e%252e/admin       | /api/orders/%252e%252e/admin
			/api/%2525                         | /api/%2525
			# empty segments merged
			//admin                            | /admin
			/api//orders///1                   | /api/orders/1
			/api/orders//                      | /api/orders/
			/api/.//../admin                   | /admin
			# unreserved characters decoded, the rest upper-case hex
			/api/%6Frders                      | /api/orders
			/api/%7euser/%5F%2D                | /api/~user/_-
			/api/a%20b                         | /api/a%20b
			/api/a%2bb                         | /api/a%2Bb
			/api/%3a%3F%23                     | /api/%3A%3F%23
			# parameters of ordinary segments pass
			/api/orders;jsessionid=1/2         | /api/orders;jsessionid=1/2
			/api/orders;v=1/../admin           | /api/admin
			# non-ASCII: encoded stays encoded, raw bytes get encoded
			/caf%c3%a9                         | /caf%C3%A9
			/café                              | /caf%E9
			""")
	void normalises(String raw, String expected) {
		assertThat(PathNormaliser.STRICT.normalise(raw)).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0} refused: {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			/api/orders%2f..%2fadmin           | an encoded '/'
			/api/orders%2F..%2Fadmin           | an encoded '/'
			/api/orders%5c..%5cadmin           | an encoded '\\'
			/api/orders\\..\\admin             | a '\\'
			/api/..;/admin                     | a dot segment with parameters
			/api/.;x=1/admin                   | a dot segment with parameters
			/api/%2e%2e;/admin                 | a dot segment with parameters
			/api/a%00b                         | an encoded control character
			/api/a%0d%0ab                      | an encoded control character
			/api/a%7fb                         | an encoded control character
			/api/a%zzb                         | malformed percent-encoding
			/api/a%2                           | malformed percent-encoding
			/api/a%                            | malformed percent-encoding
			api/orders                         | must start with '/'
			""")
	void refuses(String raw, String reason) {
		assertThatThrownBy(() -> PathNormaliser.STRICT.normalise(raw)).isInstanceOf(PathNormaliser.InvalidPath.class)
			.hasMessageContaining(reason);
	}

	@ParameterizedTest(name = "{0} refused: control character")
	@CsvSource({ "0", "9", "10", "13", "31", "127" })
	void refusesRawControlCharacters(int code) {
		assertThatThrownBy(() -> PathNormaliser.STRICT.normalise("/api/a" + (char) code + "b"))
			.isInstanceOf(PathNormaliser.InvalidPath.class)
			.hasMessageContaining("control character");
	}

	@ParameterizedTest(name = "pass: {0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			/files/a%2fb                       | /files/a%2Fb
			/files/a%5Cb                       | /files/a%5Cb
			/files/a\\b                        | /files/a%5Cb
			/files/a%2fb/../c                  | /files/c
			""")
	void encodedSlashesCanPassUnchanged(String raw, String expected) {
		assertThat(new PathNormaliser(EncodedSlashes.PASS).normalise(raw)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "/api/orders/1", "/", "/a-b_c~d/e.f" })
	void aPlainPathIsReturnedAsItIs(String raw) {
		assertThat(PathNormaliser.STRICT.normalise(raw)).isSameAs(raw);
	}
}
