package io.meshgate.proxy.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.meshgate.model.Retries.RetryOn;
import io.meshgate.proxy.balancer.EndpointStats;
import io.meshgate.proxy.balancer.ServiceBalancer;
import io.meshgate.proxy.metrics.RouteMeters;
import io.meshgate.proxy.mirror.Mirrored;
import io.meshgate.proxy.resilience.RetryPolicy;
import io.meshgate.proxy.routing.WeightedTarget;
import io.micrometer.tracing.Span;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One request's way through a proxy: its head, what the pipeline's steps decided (route, destination, endpoint, hop
 * or answer), and what happened (status, bytes, duration, outcome). The transport that carries it reports the
 * response head and the end; the exchange tells its observers, each event at most once however many paths of a
 * transport see it (an upstream failure racing a caller's cancel, a WebSocket closing both ways).
 */
public final class Exchange {

	private static final AtomicIntegerFieldUpdater<Exchange> STATE = AtomicIntegerFieldUpdater
		.newUpdater(Exchange.class, "state");

	private static final int BEGUN = 1;

	private static final int RESPONDED = 2;

	private static final int ENDED = 4;

	private final RequestHead head;

	private final ExchangeObserver observer;

	private final ListenerPolicy policy;

	private final long startNanos = System.nanoTime();

	private volatile int state;

	// set by the steps, on the request's event loop before the transport acts on them

	private String route = "default";

	private String destination = "unknown";

	private RouteMeters meters;

	private List<WeightedTarget> targets;

	private String forwardTarget;

	private EndpointStats endpoint;

	/** the service balanced over, when a balancing step picked the endpoint: retries and outlier detection */
	private ServiceBalancer service;

	/** retries done so far */
	private int retries;

	/** {@link System#nanoTime()} when the try in flight began */
	private long tryStartNanos;

	private Hop hop;

	private ProxyError answer;

	CompletableFuture<Decision> decided;

	private volatile String requestId;

	/** the shadow copy a route's mirror picked for this exchange, or {@code null} */
	private Mirrored mirror;

	/** the subject of the caller's verified bearer token (the edge's JWT step), or {@code null} */
	private String principal;

	/** this hop's span, started when the exchange begins when tracing is on */
	private Span span;

	// what happened; bytes have one writer each (the caller's side, the upstream's side)

	private volatile int status;

	private volatile long headNanos;

	private volatile long forwardNanos;

	private volatile long durationNanos;

	private volatile long requestBytes;

	private volatile long responseBytes;

	private volatile Outcome outcome;

	Exchange(RequestHead head, ExchangeObserver observer, RouteMeters unrouted, ListenerPolicy policy) {
		this.head = head;
		this.observer = observer;
		this.policy = policy;
		this.meters = unrouted;
		this.forwardTarget = head.pathAndQuery();
	}

	public RequestHead head() {
		return head;
	}

	// --- routing, written by steps

	/** The route that matched ({@code default} when none did) and the destinations it may split over. */
	public void route(String id, List<WeightedTarget> to) {
		this.route = id;
		this.targets = to;
	}

	public String route() {
		return route;
	}

	public List<WeightedTarget> targets() {
		return targets;
	}

	/** The service the request goes to, with the metrics of this route and destination, resolved in the snapshot. */
	public void destination(String service, RouteMeters meters) {
		this.destination = service;
		this.meters = meters;
	}

	public String destination() {
		return destination;
	}

	public RouteMeters meters() {
		return meters;
	}

	/**
	 * Tells the next hop who called and how, by the listener's rules (see {@link ForwardedHeaders}), and lets the
	 * observers add theirs (the trace context): called by the transport once, as the request leaves for the upstream.
	 */
	public void forwardedHeaders(HttpHeaders outgoing, String scheme) {
		policy.forwarded().apply(outgoing, head.client(), scheme, head.authority());
		policy.via(outgoing);
		forwardNanos = System.nanoTime() - startNanos;
		observer.forwarding(this, outgoing);
	}

	/** Names this proxy in the {@code Via} of a response it relays, by the listener's rules. */
	public void via(HttpHeaders responseHeaders) {
		policy.via(responseHeaders);
	}

	/** The origin-form target sent upstream: the head's unless a step rewrote it (ingress strip-prefix). */
	public String forwardTarget() {
		return forwardTarget;
	}

	public void forwardTarget(String target) {
		this.forwardTarget = target;
	}

	/** The endpoint of the try in flight; observers tell it how the try went. */
	public EndpointStats endpoint() {
		return endpoint;
	}

	/**
	 * The endpoint picked by balancing over {@code service}, already counted as in flight on it, and admitted under
	 * the service's request limit: retries, outlier detection and the limit's release go through the service.
	 */
	public void endpoint(ServiceBalancer service, EndpointStats endpoint) {
		this.service = service;
		this.endpoint = endpoint;
		this.tryStartNanos = System.nanoTime();
	}

	/** The service balanced over ({@code null}: the endpoint was not balanced, as an inbound listener's workload). */
	public ServiceBalancer service() {
		return service;
	}

	// --- retries: the policy is written once here, the transports only resend

	/**
	 * How many request body bytes the transport keeps to resend them on a retry, or -1 when this request is never
	 * retried (no policy, or a method that is not retried). A body that grows past it is not retried.
	 */
	public int replayLimit() {
		RetryPolicy policy = service == null ? null : service.retries();
		return policy != null && mayResend(policy) ? policy.replayLimit() : -1;
	}

	/**
	 * Whether this request may be sent twice: an idempotent method or one the policy names, or any gRPC call (all are
	 * POSTs; gRPC's own retry policy retries UNAVAILABLE whatever the method, and so does Envoy's).
	 */
	private boolean mayResend(RetryPolicy policy) {
		return policy.attempts() > 0 && (head.protocol().isGrpc() || policy.allows(head.method()));
	}

	/** The deadline of each try's response head ({@code null}: only the hop's timeout, over every try). */
	public Duration perTryTimeout() {
		RetryPolicy policy = service == null ? null : service.retries();
		return policy == null ? null : policy.perTryTimeout();
	}

	/**
	 * The try in flight failed with {@code error} before any of its response reached the caller: the hop of the next
	 * try, or {@code null} to answer the error. See {@link #retry}.
	 * @param replayable whether the transport can send the request again (its body was kept whole, or not read yet)
	 */
	public Hop retryAfter(ProxyError error, boolean replayable) {
		RetryPolicy policy = service == null ? null : service.retries();
		return policy == null || !replayable ? null : retry(policy, policy.reasonFor(error));
	}

	/** The try's endpoint answered {@code status} ({@code headers}: its response head), which nobody saw yet. */
	public Hop retryAfter(int status, HttpHeaders headers, boolean replayable) {
		RetryPolicy policy = service == null ? null : service.retries();
		return policy == null || !replayable || status < 500 && status != 200 ? null
				: retry(policy, policy.reasonFor(status, headers));
	}

	/**
	 * Another try when the policy retries {@code reason}, the method may be sent again, attempts are left and the
	 * service's budget allows one: the failed endpoint is told (a failure for outlier detection), another one is
	 * picked (never the one that failed while another is there), and the observers count the retry.
	 */
	private Hop retry(RetryPolicy policy, RetryOn reason) {
		if (reason == null || hop == null || retries >= policy.attempts() || !mayResend(policy)) {
			return null;
		}
		if (!service.budget().withdraw(policy.budgetPercent(), policy.minPerSecond())) {
			observer.retrying(this, null);
			return null;
		}
		long now = System.nanoTime();
		EndpointStats failed = endpoint;
		service.completed(failed, false, now - tryStartNanos);
		EndpointStats next = service.pick(failed);
		next.started();
		endpoint = next;
		tryStartNanos = now;
		retries++;
		hop = hop.to(next);
		observer.retrying(this, reason);
		return hop;
	}

	/** Whether a try that fails for {@code reason} now would be retried, budget aside (a transport may wait for it). */
	public boolean mayRetry(RetryOn reason) {
		RetryPolicy policy = service == null ? null : service.retries();
		return policy != null && hop != null && retries < policy.attempts() && policy.retriesOn(reason)
				&& mayResend(policy);
	}

	/** Retries done so far. */
	public int retries() {
		return retries;
	}

	/** How long to wait before the retry just granted: exponential backoff with full jitter. */
	public long backoffNanos() {
		return service.retries().backoffNanos(retries);
	}

	/** Time the try in flight has taken so far, for its endpoint's latency sample. */
	public long tryNanos() {
		return System.nanoTime() - tryStartNanos;
	}

	public void hop(Hop hop) {
		this.hop = hop;
	}

	public Hop hop() {
		return hop;
	}

	void answer(ProxyError error) {
		this.answer = error;
	}

	/** The proxy's own answer, when the pipeline or the forward ended in one. */
	public ProxyError answer() {
		return answer;
	}

	/**
	 * The id the proxy's answer and its log line share: the caller's {@code x-request-id}, else a new one; made on
	 * first use (only answers and their logs need it).
	 */
	public String requestId() {
		String id = requestId;
		if (id == null) {
			id = requestId = RequestIds.of(head.headers());
		}
		return id;
	}

	/** The shadow copy to send as the request leaves ({@code MirrorStep}); {@code null}: none. */
	public Mirrored mirror() {
		return mirror;
	}

	public void mirror(Mirrored copy) {
		this.mirror = copy;
	}

	/** The subject of the caller's verified bearer token, set by the edge's token check; {@code null}: none. */
	public String principal() {
		return principal;
	}

	public void principal(String subject) {
		this.principal = subject;
	}

	/** This hop's span ({@code null}: tracing is off); set and read by the tracing observer. */
	public Span span() {
		return span;
	}

	public void span(Span span) {
		this.span = span;
	}

	/** Completes when a {@link Decision#PENDING} pipeline decided, on the request's event loop. */
	public CompletableFuture<Decision> decided() {
		return decided;
	}

	// --- progress, reported by the transport

	void begin() {
		if (set(BEGUN)) {
			observer.begun(this);
		}
	}

	/** The response head (the upstream's, or the proxy's own answer) is about to reach the caller. */
	public void responded(int status) {
		if ((state & ENDED) == 0 && set(RESPONDED)) {
			this.status = status;
			this.headNanos = System.nanoTime() - startNanos;
			observer.responded(this);
		}
	}

	/** The forward failed with {@code error}; the transport answers it if the response has not started. */
	public void failed(ProxyError error) {
		if ((state & RESPONDED) == 0) {
			this.answer = error;
		}
	}

	public void requestBytes(long bytes) {
		requestBytes += bytes;
	}

	public void responseBytes(long bytes) {
		responseBytes += bytes;
	}

	/** The exchange is over; only the first call counts. */
	public void end(Outcome outcome) {
		if ((state & BEGUN) != 0 && set(ENDED)) {
			this.outcome = outcome;
			this.durationNanos = System.nanoTime() - startNanos;
			observer.ended(this);
		}
	}

	private boolean set(int flag) {
		int current;
		do {
			current = state;
			if ((current & flag) != 0) {
				return false;
			}
		}
		while (!STATE.compareAndSet(this, current, current | flag));
		return true;
	}

	public boolean hasResponded() {
		return (state & RESPONDED) != 0;
	}

	public boolean hasEnded() {
		return (state & ENDED) != 0;
	}

	/** The status sent, or 0 when the caller left before any. */
	public int status() {
		return status;
	}

	/** Time from the request head to the response head, in nanoseconds (0 when there was none). */
	public long headNanos() {
		return headNanos;
	}

	/** {@link System#nanoTime()} when the request head was read. */
	public long startNanos() {
		return startNanos;
	}

	/** Time the upstream took to answer: from the forward to the response head (0 when there was no such answer). */
	public long upstreamNanos() {
		long forward = forwardNanos;
		long head = headNanos;
		return forward > 0 && head > forward && answer == null ? head - forward : 0;
	}

	public long durationNanos() {
		return durationNanos;
	}

	public long requestBytes() {
		return requestBytes;
	}

	public long responseBytes() {
		return responseBytes;
	}

	public Outcome outcome() {
		return outcome;
	}
}
