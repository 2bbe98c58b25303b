package io.meshgate.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.meshgate.model.Retries;
import io.meshgate.model.Retries.RetryOn;
import io.meshgate.proxy.core.ProxyError;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

class RetryBudgetTest {

	private static final long SECOND = 1_000_000_000L;

	private final AtomicLong clock = new AtomicLong(500 * SECOND);

	private final RetryBudget budget = new RetryBudget(clock::get);

	private int withdrawals(int percent, int minPerSecond) {
		int granted = 0;
		while (budget.withdraw(percent, minPerSecond) && granted < 100_000) {
			granted++;
		}
		return granted;
	}

	@Test
	void aShareOfTheRequestsOfTheLastTenSecondsPlusAFloorPerSecond() {
		for (int i = 0; i < 1000; i++) {
			budget.deposit();
		}
		assertThat(withdrawals(20, 10)).as("20% of 1000, plus 10/s over 10 s").isEqualTo(300);
		clock.addAndGet(5 * SECOND);
		assertThat(withdrawals(20, 10)).as("spent, and no new requests").isZero();
		clock.addAndGet(5 * SECOND);
		assertThat(withdrawals(20, 10)).as("10 s later the old requests and retries are forgotten").isEqualTo(100);
	}

	@Test
	void aZeroBudgetNeverRetries() {
		for (int i = 0; i < 1000; i++) {
			budget.deposit();
		}
		assertThat(withdrawals(0, 0)).isZero();
	}

	@Test
	void thePolicyRetriesWhatItNamesForMethodsThatMayBeSentTwice() {
		RetryPolicy defaults = new RetryPolicy(retries(List.of(), List.of()));
		assertThat(defaults.reasonFor(ProxyError.upstream("s", "e", new java.net.ConnectException("refused"))))
			.isEqualTo(RetryOn.CONNECT_FAILURE);
		assertThat(defaults.reasonFor(ProxyError.reset("s", "e"))).isEqualTo(RetryOn.RESET);
		assertThat(defaults.reasonFor(ProxyError.timeout("s", "e"))).as("timeout is not a default").isNull();
		assertThat(defaults.reasonFor(503, new DefaultHttpHeaders())).isEqualTo(RetryOn.UNAVAILABLE);
		assertThat(defaults.reasonFor(200, new DefaultHttpHeaders().set("grpc-status", "14")))
			.isEqualTo(RetryOn.UNAVAILABLE);
		assertThat(defaults.reasonFor(200, new DefaultHttpHeaders().set("grpc-status", "13"))).isNull();
		assertThat(defaults.reasonFor(502, new DefaultHttpHeaders())).isNull();
		assertThat(defaults.allows(HttpMethod.GET)).isTrue();
		assertThat(defaults.allows(HttpMethod.POST)).isFalse();

		RetryPolicy gateway = new RetryPolicy(retries(List.of(RetryOn.GATEWAY_ERROR), List.of("POST")));
		assertThat(gateway.reasonFor(502, new DefaultHttpHeaders())).isEqualTo(RetryOn.GATEWAY_ERROR);
		assertThat(gateway.reasonFor(503, new DefaultHttpHeaders())).isEqualTo(RetryOn.GATEWAY_ERROR);
		assertThat(gateway.reasonFor(500, new DefaultHttpHeaders())).isNull();
		assertThat(gateway.reasonFor(ProxyError.reset("s", "e"))).isNull();
		assertThat(gateway.allows(HttpMethod.POST)).isTrue();
		assertThat(gateway.allows(HttpMethod.PATCH)).isFalse();
	}

	@Test
	void backoffIsJitteredBelowADoublingBaseUpToItsMaximum() {
		RetryPolicy policy = new RetryPolicy(retries(List.of(), List.of()));
		for (int i = 0; i < 1000; i++) {
			assertThat(policy.backoffNanos(1)).isBetween(0L, Duration.ofMillis(25).toNanos());
			assertThat(policy.backoffNanos(2)).isBetween(0L, Duration.ofMillis(50).toNanos());
			assertThat(policy.backoffNanos(9)).isBetween(0L, Duration.ofMillis(250).toNanos());
		}
		long sum = 0;
		for (int i = 0; i < 1000; i++) {
			sum += policy.backoffNanos(9);
		}
		assertThat(sum / 1000).as("spread, not pinned to either end").isBetween(Duration.ofMillis(100).toNanos(),
				Duration.ofMillis(150).toNanos());
	}

	private static Retries retries(List<RetryOn> on, List<String> methods) {
		return new Retries(2, on, null, Duration.ofMillis(25), Duration.ofMillis(250), 20, 10, null, methods);
	}
}
