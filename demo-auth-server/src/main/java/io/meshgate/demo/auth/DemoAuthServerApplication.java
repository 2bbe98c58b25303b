package io.meshgate.demo.auth;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A demo identity provider for the gateway's protected routes: Spring Authorization Server issuing client-credentials
 * JWTs. Not part of the mesh; it stands in for the real IdP (Keycloak, Entra ID, Okta...) of a deployment.
 */
@SpringBootApplication
public class DemoAuthServerApplication {

	public static void main(String[] args) {
		SpringApplication.run(DemoAuthServerApplication.class, args);
	}
}
