package io.meshgate.client.spring;

import org.springframework.context.ApplicationEvent;

import io.meshgate.client.AppliedConfig;

/** Published after a validated config went into the Environment; planes rebuild what they derive from the model. */
public class MeshConfigApplied extends ApplicationEvent {

	private final AppliedConfig config;

	public MeshConfigApplied(Object source, AppliedConfig config) {
		super(source);
		this.config = config;
	}

	public AppliedConfig config() {
		return config;
	}
}
