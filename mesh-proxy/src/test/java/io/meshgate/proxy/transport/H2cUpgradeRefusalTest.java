package io.meshgate.proxy.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class H2cUpgradeRefusalTest {

	@Test
	void anH2cOfferIsRemovedWithItsSettingsAndConnectionOptions() {
		HttpHeaders headers = new DefaultHttpHeaders().set("connection", "Upgrade, HTTP2-Settings, keep-alive")
			.set("upgrade", "h2c")
			.set("http2-settings", "AAMAAABkAAQAAP__");
		H2cUpgradeRefusal.withoutH2c(headers);
		assertThat(headers.get("upgrade")).isNull();
		assertThat(headers.get("http2-settings")).isNull();
		assertThat(headers.get("connection")).isEqualTo("keep-alive");
	}

	@Test
	void otherUpgradesStay() {
		HttpHeaders websocket = new DefaultHttpHeaders().set("connection", "Upgrade").set("upgrade", "websocket");
		H2cUpgradeRefusal.withoutH2c(websocket);
		assertThat(websocket.get("upgrade")).isEqualTo("websocket");
		assertThat(websocket.get("connection")).isEqualTo("Upgrade");

		HttpHeaders both = new DefaultHttpHeaders().set("connection", "Upgrade").set("upgrade", "h2c, websocket");
		H2cUpgradeRefusal.withoutH2c(both);
		assertThat(both.get("upgrade")).isEqualTo("websocket");
		assertThat(both.get("connection")).isEqualTo("Upgrade");
	}
}
