package io.meshgate.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The per-node mesh agent. Requests flow through reactor-netty servers and clients only (outbound and inbound
 * listeners); Spring Boot binds the settings and serves the admin port (actuator).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MeshAgentApplication {

	public static void main(String[] args) {
		SpringApplication.run(MeshAgentApplication.class, args);
	}
}
