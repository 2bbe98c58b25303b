package io.meshgate.controlplane;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.cloud.config.server.EnableConfigServer;

/** Config server over the Git config repository, plus the mesh's watch channel and validation. */
@SpringBootApplication
@EnableConfigServer
@ConfigurationPropertiesScan
public class ControlPlaneApplication {

	public static void main(String[] args) {
		SpringApplication.run(ControlPlaneApplication.class, args);
	}
}
