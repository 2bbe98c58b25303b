package io.meshgate.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.meshgate.proxy.core.Outcome;

class ProxyErrorLogTest {

	private static final long SECOND = 1_000_000_000L;

	@Test
	void oneLinePerIntervalAndKindTheRestCountedInTheNext() {
		ProxyErrorLog log = new ProxyErrorLog(SECOND);
		long start = System.nanoTime();
		int refused = Outcome.CONNECT_FAILED.ordinal();
		int timeout = Outcome.TIMEOUT.ordinal();
		assertThat(log.admit(refused, start)).as("the first is logged at once").isZero();
		assertThat(log.admit(refused, start + 1)).isEqualTo(-1);
		assertThat(log.admit(refused, start + SECOND / 2)).isEqualTo(-1);
		assertThat(log.admit(timeout, start + 2)).as("each kind has its own allowance").isZero();
		assertThat(log.admit(refused, start + SECOND + 1)).as("two were left out").isEqualTo(2);
		assertThat(log.admit(refused, start + SECOND + 2)).isEqualTo(-1);
	}
}
