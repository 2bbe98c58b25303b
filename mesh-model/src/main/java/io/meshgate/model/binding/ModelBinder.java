package io.meshgate.model.binding;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

import io.meshgate.model.ConfigSource;
import io.meshgate.model.MeshConfig;
import io.meshgate.model.validation.Violation;

/**
 * Binds {@code mesh.*} with Spring Boot's {@link Binder} (relaxed names, {@code 2s} durations, list and map
 * precedence exactly as in a Spring application) but keeps going after a value fails to convert, so one pass reports
 * every bad value.
 */
public final class ModelBinder {

	private ModelBinder() {
	}

	public record Result(MeshConfig config, List<Violation> failures) {
	}

	public static Result bind(List<ConfigSource> sources) {
		List<PropertySource<?>> propertySources = new ArrayList<>();
		for (ConfigSource source : sources) {
			propertySources.add(new MapPropertySource(source.name(), source.properties()));
		}
		Binder binder = new Binder(ConfigurationPropertySources.from(propertySources));
		CollectingHandler handler = new CollectingHandler();
		MeshConfig config = binder.bind(MeshConfig.PREFIX, Bindable.of(MeshConfig.class), handler)
			.orElseGet(MeshConfig::empty);
		return new Result(config, handler.failures);
	}

	private static final class CollectingHandler extends AbstractBindHandler {

		private final List<Violation> failures = new ArrayList<>();

		@Override
		public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
				Exception error) {
			// a list whose element failed reports again as "left unbound": the element's error says it all
			if (!(error instanceof UnboundConfigurationPropertiesException)) {
				failures.add(Violation.at(name.toString(), describe(target.getType().resolve(Object.class), error)));
			}
			return null;
		}

		private static String describe(Class<?> type, Exception error) {
			Throwable cause = error;
			while (cause != null && !(cause instanceof ConversionFailedException)) {
				cause = cause.getCause();
			}
			Object value = cause instanceof ConversionFailedException failed ? failed.getValue() : null;
			if (value == null) {
				return "cannot be read as " + type.getSimpleName() + ": " + rootMessage(error);
			}
			if (type == Duration.class) {
				return "'" + value + "' is not a duration (write it like 250ms, 2s or 1m)";
			}
			if (type == Integer.class || type == int.class) {
				return "'" + value + "' is not a whole number";
			}
			if (type == org.springframework.util.unit.DataSize.class) {
				return "'" + value + "' is not a size (write it like 64KB or 1MB)";
			}
			if (type == URI.class) {
				return "'" + value + "' is not a URI like http://127.0.0.1:8181";
			}
			if (type.isEnum()) {
				String allowed = Arrays.stream(type.getEnumConstants())
					.map(constant -> constant.toString().toLowerCase(Locale.ROOT).replace('_', '-'))
					.collect(Collectors.joining(", "));
				return "'" + value + "' is not one of: " + allowed;
			}
			return "'" + value + "' cannot be read as " + type.getSimpleName();
		}

		private static String rootMessage(Throwable error) {
			Throwable root = error;
			while (root.getCause() != null) {
				root = root.getCause();
			}
			return root.getMessage();
		}
	}
}
