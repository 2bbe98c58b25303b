package io.meshgate.proxy.core;

/** What a transport does with a request once the pipeline ran. */
public enum Decision {

	/** forward along {@link Exchange#hop()} */
	FORWARD,
	/** send {@link Exchange#answer()} */
	ANSWER,
	/** not this listener's: hand the request on untouched */
	PASS,
	/** a step answers later: wait for {@link Exchange#decided()}, holding the request */
	PENDING
}
