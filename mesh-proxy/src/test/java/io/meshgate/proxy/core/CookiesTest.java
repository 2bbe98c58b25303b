package io.meshgate.proxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;

class CookiesTest {

	@Test
	void findsACookieAmongOthersWhateverItsPlace() {
		assertThat(Cookies.value("release=canary", "release")).isEqualTo("canary");
		assertThat(Cookies.value("a=1; release=canary; b=2", "release")).isEqualTo("canary");
		assertThat(Cookies.value("a=1;release=canary", "release")).isEqualTo("canary");
		assertThat(Cookies.value("a=1; release=canary ", "release")).isEqualTo("canary");
		assertThat(Cookies.value("release=\"canary\"", "release")).as("a quoted value").isEqualTo("canary");
		assertThat(Cookies.value("release=", "release")).isEmpty();
	}

	@Test
	void aNameThatOnlyStartsOrEndsLikeItIsNotIt() {
		assertThat(Cookies.value("xrelease=canary; releasex=canary", "release")).isNull();
		assertThat(Cookies.value("a=release=canary", "release")).as("inside another cookie's value").isNull();
		assertThat(Cookies.value("release", "release")).as("no value at all").isNull();
		assertThat(Cookies.value("", "release")).isNull();
	}

	@Test
	void readsEveryCookieHeader() {
		DefaultHttpHeaders headers = new DefaultHttpHeaders();
		headers.add("cookie", "a=1").add("cookie", "release=canary");
		assertThat(Cookies.value(headers, "release")).isEqualTo("canary");
		assertThat(Cookies.value(new DefaultHttpHeaders(), "release")).isNull();
	}
}
