package io.meshgate.controlplane.validation;

import org.springframework.cloud.config.environment.Environment;
import org.springframework.cloud.config.server.environment.EnvironmentController;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * The config server's {@code /{application}/{profile}[/{label}]} answers, as the proxies fetch them, with
 * {@code key: {}} kept ({@link YamlTrees#declared}): the proxies then bind and check exactly what the control plane
 * validated.
 */
@ControllerAdvice(assignableTypes = EnvironmentController.class)
class DeclaredEmptyMaps implements ResponseBodyAdvice<Object> {

	private final YamlTrees trees;

	DeclaredEmptyMaps(YamlTrees trees) {
		this.trees = trees;
	}

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return Environment.class.isAssignableFrom(returnType.getParameterType());
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
			Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		return body instanceof Environment environment ? trees.declared(environment) : body;
	}
}
