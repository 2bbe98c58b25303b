package io.meshgate.bench.plainscg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Spring Cloud Gateway as it comes: the one route is in application.properties. */
@SpringBootApplication
public class PlainScgApplication {

    public static void main(String[] args) {
        SpringApplication.run(PlainScgApplication.class, args);
    }
}
