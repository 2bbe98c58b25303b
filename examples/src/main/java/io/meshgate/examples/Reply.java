package io.meshgate.examples;

/** A JSON reply: status and body. */
record Reply(int status, String body) {

	static Reply ok(String body) {
		return new Reply(200, body);
	}

	static Reply error(int status, String message) {
		return new Reply(status, "{\"error\":" + Json.string(message) + "}");
	}
}
