package io.meshgate.model.files;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** A config file that is not YAML, with the line and column of the problem (1-based, as editors count). */
public class InvalidYamlException extends RuntimeException {

	private final String file;

	InvalidYamlException(String file, String message, Throwable cause) {
		super(message, cause);
		this.file = file;
	}

	public String file() {
		return file;
	}

	static InvalidYamlException from(String file, RuntimeException failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
				Mark mark = marked.getProblemMark();
				String context = marked.getContext() == null ? "" : " (" + marked.getContext() + ")";
				return new InvalidYamlException(file, "YAML syntax error at line " + (mark.getLine() + 1) + ", column "
						+ (mark.getColumn() + 1) + ": " + marked.getProblem() + context, failure);
			}
		}
		return new InvalidYamlException(file, "not readable as YAML: " + failure.getMessage(), failure);
	}
}
