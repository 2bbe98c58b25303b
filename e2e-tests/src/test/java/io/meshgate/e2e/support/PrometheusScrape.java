package io.meshgate.e2e.support;

import java.util.HashMap;
import java.util.Map;

/** A Prometheus text scrape, read by the tests: the sum of a metric's series whose labels include the given ones. */
public final class PrometheusScrape {

	private final String text;

	private PrometheusScrape(String text) {
		this.text = text;
	}

	public static PrometheusScrape of(String url) {
		Http.Response response = Http.get(url);
		if (response.status() != 200) {
			throw new IllegalStateException("GET " + url + " answered " + response.status());
		}
		return new PrometheusScrape(response.body());
	}

	public double sum(String metric, Map<String, String> labels) {
		double sum = 0;
		for (String line : text.split("\n")) {
			if (!line.startsWith(metric + "{")) {
				continue;
			}
			int close = line.lastIndexOf('}');
			Map<String, String> series = labels(line.substring(metric.length() + 1, close));
			if (series.entrySet().containsAll(labels.entrySet())) {
				sum += Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
			}
		}
		return sum;
	}

	/** The value of every series of {@code metric}'s label {@code name}, e.g. the versions of meshgate_config_info. */
	public java.util.Set<String> labelValues(String metric, String name) {
		java.util.Set<String> values = new java.util.TreeSet<>();
		for (String line : text.split("\n")) {
			if (line.startsWith(metric + "{")) {
				String value = labels(line.substring(metric.length() + 1, line.lastIndexOf('}'))).get(name);
				if (value != null) {
					values.add(value);
				}
			}
		}
		return values;
	}

	/** The series of {@code metric} whose value changed since {@code before}, with the change: for failure messages. */
	public String changedSince(PrometheusScrape before, String metric) {
		Map<String, Double> then = before.values(metric);
		StringBuilder changed = new StringBuilder();
		values(metric).forEach((series, value) -> {
			double delta = value - then.getOrDefault(series, 0.0);
			if (delta != 0) {
				changed.append("\n  ").append(series).append(" +").append(delta);
			}
		});
		return changed.length() == 0 ? " (none)" : changed.toString();
	}

	private Map<String, Double> values(String metric) {
		Map<String, Double> values = new java.util.TreeMap<>();
		for (String line : text.split("\n")) {
			if (line.startsWith(metric + "{")) {
				int close = line.lastIndexOf('}');
				values.put(line.substring(metric.length(), close + 1),
						Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]));
			}
		}
		return values;
	}

	private static Map<String, String> labels(String body) {
		Map<String, String> labels = new HashMap<>();
		int i = 0;
		while (i < body.length()) {
			int eq = body.indexOf('=', i);
			int start = body.indexOf('"', eq) + 1;
			int end = start;
			while (body.charAt(end) != '"' || body.charAt(end - 1) == '\\') {
				end++;
			}
			labels.put(body.substring(i, eq).trim(), body.substring(start, end));
			i = end + 1;
			if (i < body.length() && body.charAt(i) == ',') {
				i++;
			}
		}
		return labels;
	}
}
