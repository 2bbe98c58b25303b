package io.meshgate.proxy.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesTest {

	@Test
	void prefersTheFastEndpoint() {
		EndpointStats fast = measured("fast", 1_000_000);
		EndpointStats slow = measured("slow", 50_000_000);
		int toFast = 0;
		for (int i = 0; i < 1000; i++) {
			if (PowerOfTwoChoices.pick(List.of(fast, slow)) == fast) {
				toFast++;
			}
		}
		assertThat(toFast).isEqualTo(1000);
	}

	@Test
	void avoidsTheEndpointWithTheLongerQueue() {
		EndpointStats idle = measured("idle", 5_000_000);
		EndpointStats busy = measured("busy", 5_000_000);
		for (int i = 0; i < 10; i++) {
			busy.started();
		}
		assertThat(PowerOfTwoChoices.pick(List.of(idle, busy))).isSameAs(idle);
	}

	@Test
	void spreadsOverEqualEndpoints() {
		// one fixed clock: equal endpoints must cost exactly the same, ties going to the random first pick
		List<EndpointStats> endpoints = List.of(new EndpointStats("s", "a", "a", () -> 0L),
				new EndpointStats("s", "b", "b", () -> 0L), new EndpointStats("s", "c", "c", () -> 0L));
		int[] counts = new int[3];
		for (int i = 0; i < 30_000; i++) {
			counts[endpoints.indexOf(PowerOfTwoChoices.pick(endpoints))]++;
		}
		for (int count : counts) {
			assertThat(count).isBetween(8_000, 12_000);
		}
	}

	@Test
	void aSlowAnswerRaisesTheAverageAtOnceAndFastOnesLowerItGradually() {
		EndpointStats stats = measured("x", 1_000_000);
		stats.started();
		stats.completed(true, 100_000_000);
		assertThat(stats.ewmaMillis()).isEqualTo(100.0);
		stats.started();
		stats.completed(true, 1_000_000);
		assertThat(stats.ewmaMillis()).isLessThanOrEqualTo(100.0).isGreaterThan(1.0);
		assertThat(stats.requests()).isEqualTo(3);
	}

	@Test
	void anEndpointAvoidedForBeingSlowIsTriedAgainAfterAWhile() {
		long[] now = { 0 };
		EndpointStats slow = new EndpointStats("s", "slow", "slow", () -> now[0]);
		slow.started();
		slow.completed(true, 50_000_000);
		EndpointStats fast = new EndpointStats("s", "fast", "fast", () -> now[0]);
		fast.started();
		fast.completed(true, 2_000_000);
		assertThat(PowerOfTwoChoices.pick(List.of(slow, fast))).isSameAs(fast);

		now[0] += 40_000_000_000L; // 40 s without a sample: the slow one's 50 ms has decayed below the fast one's 2 ms
		fast.started();
		fast.completed(true, 2_000_000);

		assertThat(PowerOfTwoChoices.pick(List.of(slow, fast))).isSameAs(slow);
	}

	private static EndpointStats measured(String name, long nanos) {
		EndpointStats stats = new EndpointStats("s", name, name);
		stats.started();
		stats.completed(true, nanos);
		return stats;
	}
}
