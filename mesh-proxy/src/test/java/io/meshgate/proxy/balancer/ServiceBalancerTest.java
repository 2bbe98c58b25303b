package io.meshgate.proxy.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.meshgate.model.LoadBalancer;
import io.meshgate.model.OutlierDetection;
import io.meshgate.model.ServiceSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Picking, ejecting and admitting for one service, on a clock the test moves. */
class ServiceBalancerTest {

	private static final long SECOND = 1_000_000_000L;

	private final AtomicLong clock = new AtomicLong(1_000 * SECOND);

	private final Counter ejections = Counter.builder("ejections").register(new SimpleMeterRegistry());

	private List<EndpointStats> endpoints(int count) {
		List<EndpointStats> list = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			list.add(new EndpointStats("svc", "node-" + i, "http://10.0.0." + i + ":80", clock::get));
		}
		return List.copyOf(list);
	}

	private ServiceBalancer balancer(List<EndpointStats> endpoints, OutlierDetection detection, LoadBalancer strategy,
			Integer maxRequests) {
		ServiceSpec spec = new ServiceSpec(null, null, null, null, detection, strategy, maxRequests, null, null);
		return new ServiceBalancer(spec, endpoints, new ServiceBalancer.ServiceState(ejections));
	}

	private static void fail(ServiceBalancer service, EndpointStats endpoint, int times) {
		for (int i = 0; i < times; i++) {
			endpoint.started();
			service.completed(endpoint, false, 1_000_000);
		}
	}

	@Test
	void consecutiveFailuresEjectAnEndpointThatComesBackAfterTheBaseTimeAndStaysOutLongerWhenItFailsAgain() {
		List<EndpointStats> all = endpoints(2);
		EndpointStats bad = all.get(0);
		ServiceBalancer service = balancer(all, new OutlierDetection(3, Duration.ofSeconds(10), Duration.ofSeconds(25), 50, null, 20),
				LoadBalancer.P2C_EWMA, null);

		fail(service, bad, 2);
		bad.started();
		service.completed(bad, true, 1_000_000); // a success in between: the count starts again
		fail(service, bad, 2);
		assertThat(bad.ejected(clock.get())).isFalse();
		fail(service, bad, 1);
		assertThat(bad.ejected(clock.get())).isTrue();
		assertThat(ejections.count()).isEqualTo(1);
		for (int i = 0; i < 200; i++) {
			assertThat(service.pick(null)).isSameAs(all.get(1));
		}

		clock.addAndGet(10 * SECOND);
		assertThat(bad.ejected(clock.get())).as("back after the base time").isFalse();
		fail(service, bad, 3);
		assertThat(bad.ejected(clock.get())).isTrue();
		clock.addAndGet(19 * SECOND);
		assertThat(bad.ejected(clock.get())).as("a second ejection lasts twice as long").isTrue();
		clock.addAndGet(1 * SECOND);
		assertThat(bad.ejected(clock.get())).isFalse();

		fail(service, bad, 3);
		clock.addAndGet(25 * SECOND);
		assertThat(bad.ejected(clock.get())).as("never longer than max-ejection-time").isFalse();
		assertThat(bad.ejections()).isEqualTo(3);

		clock.addAndGet(100 * SECOND); // long healthy: earlier ejections are forgiven
		fail(service, bad, 3);
		assertThat(bad.ejections()).isEqualTo(1);
		assertThat(ejections.count()).isEqualTo(4);
	}

	@Test
	void anEndpointFailingEveryOtherCallIsEjectedByItsShareOfFailures() {
		List<EndpointStats> two = endpoints(2);
		EndpointStats flaky = two.get(0);
		ServiceBalancer byShare = balancer(two,
				new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofSeconds(300), 50, 40, 10), LoadBalancer.P2C_EWMA,
				null);
		for (int i = 0; i < 8; i++) { // 4 of 8 failed: too few calls for the share to count yet
			flaky.started();
			byShare.completed(flaky, i % 2 == 0, 1_000_000);
		}
		assertThat(flaky.ejected(clock.get())).isFalse();
		flaky.started();
		byShare.completed(flaky, true, 1_000_000);
		flaky.started();
		byShare.completed(flaky, false, 1_000_000); // 5 of 10 failed, never two in a row
		assertThat(flaky.ejected(clock.get())).isTrue();

		clock.addAndGet(11 * SECOND);
		assertThat(flaky.ejected(clock.get())).isFalse();
		flaky.started();
		byShare.completed(flaky, false, 1_000_000);
		assertThat(flaky.ejected(clock.get())).as("back with a clean slate: one failure is not a share").isFalse();

		List<EndpointStats> others = endpoints(2);
		ServiceBalancer consecutiveOnly = balancer(others, OutlierDetection.DEFAULT, LoadBalancer.P2C_EWMA, null);
		for (int i = 0; i < 100; i++) {
			others.get(0).started();
			consecutiveOnly.completed(others.get(0), i % 2 == 0, 1_000_000);
		}
		assertThat(others.get(0).ejected(clock.get())).as("without failure-percent, alternating never ejects").isFalse();
	}

	@Test
	void neverMoreThanTheMaximumShareOfEndpointsIsEjectedAndNeverTheLast() {
		OutlierDetection detection = new OutlierDetection(1, Duration.ofSeconds(10), Duration.ofSeconds(300), 50, null, 20);
		List<EndpointStats> four = endpoints(4);
		ServiceBalancer service = balancer(four, detection, LoadBalancer.P2C_EWMA, null);
		four.forEach(endpoint -> fail(service, endpoint, 1));
		assertThat(four.stream().filter(e -> e.ejected(clock.get()))).hasSize(2);

		List<EndpointStats> one = endpoints(1);
		ServiceBalancer alone = balancer(one, detection, LoadBalancer.P2C_EWMA, null);
		fail(alone, one.get(0), 5);
		assertThat(one.get(0).ejected(clock.get())).isFalse();

		List<EndpointStats> two = endpoints(2);
		ServiceBalancer pair = balancer(two, new OutlierDetection(1, Duration.ofSeconds(10), Duration.ofSeconds(300), 10, null, 20),
				LoadBalancer.P2C_EWMA, null);
		two.forEach(endpoint -> fail(pair, endpoint, 1));
		assertThat(two.stream().filter(e -> e.ejected(clock.get()))).as("10% of two is still one").hasSize(1);

		List<EndpointStats> off = endpoints(2);
		ServiceBalancer disabled = balancer(off, new OutlierDetection(0, Duration.ofSeconds(10), Duration.ofSeconds(300), 50, null, 20),
				LoadBalancer.P2C_EWMA, null);
		fail(disabled, off.get(0), 100);
		assertThat(off.get(0).ejected(clock.get())).isFalse();
	}

	@Test
	void aRetryNeverGoesBackToTheEndpointThatFailedWhileAnotherIsThere() {
		for (LoadBalancer strategy : LoadBalancer.values()) {
			List<EndpointStats> three = endpoints(3);
			ServiceBalancer service = balancer(three, OutlierDetection.DEFAULT, strategy, null);
			for (int i = 0; i < 300; i++) {
				assertThat(service.pick(three.get(1))).as(strategy.name()).isNotSameAs(three.get(1));
			}
			List<EndpointStats> one = endpoints(1);
			assertThat(balancer(one, OutlierDetection.DEFAULT, strategy, null).pick(one.get(0))).isSameAs(one.get(0));
		}
	}

	@Test
	void whenEveryEndpointIsOutBalancingGoesOnOverAll() {
		List<EndpointStats> two = endpoints(2);
		ServiceBalancer service = balancer(two, new OutlierDetection(1, Duration.ofSeconds(10), Duration.ofSeconds(300), 100, null, 20),
				LoadBalancer.P2C_EWMA, null);
		fail(service, two.get(0), 1);
		assertThat(two.get(0).ejected(clock.get())).isTrue();
		assertThat(two.get(1).ejected(clock.get())).as("never the last").isFalse();
		assertThat(service.pick(two.get(1))).as("the only other is ejected: it is taken anyway").isSameAs(two.get(0));
	}

	@Test
	void roundRobinTakesEachInTurnAndLeastRequestTheLessBusy() {
		List<EndpointStats> three = endpoints(3);
		ServiceBalancer turns = balancer(three, OutlierDetection.DEFAULT, LoadBalancer.ROUND_ROBIN, null);
		int[] counts = new int[3];
		for (int i = 0; i < 300; i++) {
			counts[three.indexOf(turns.pick(null))]++;
		}
		assertThat(counts).containsExactly(100, 100, 100);

		List<EndpointStats> two = endpoints(2);
		two.get(0).started();
		two.get(0).completed(true, 1_000_000); // far faster, but busier: least-request looks at the queue only
		for (int i = 0; i < 3; i++) {
			two.get(0).started();
		}
		two.get(1).started();
		two.get(1).completed(true, 500_000_000);
		ServiceBalancer least = balancer(two, OutlierDetection.DEFAULT, LoadBalancer.LEAST_REQUEST, null);
		ServiceBalancer ewma = balancer(two, OutlierDetection.DEFAULT, LoadBalancer.P2C_EWMA, null);
		assertThat(least.pick(null)).isSameAs(two.get(1));
		assertThat(ewma.pick(null)).isSameAs(two.get(0));
	}

	@Test
	void maxRequestsAdmitsThatManyAtOnce() {
		ServiceBalancer service = balancer(endpoints(1), OutlierDetection.DEFAULT, LoadBalancer.P2C_EWMA, 2);
		assertThat(service.admit()).isTrue();
		assertThat(service.admit()).isTrue();
		assertThat(service.admit()).isFalse();
		service.release();
		assertThat(service.admit()).isTrue();
	}
}
