package dev.mandate.broker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Mandate broker: an RFC 8693 token broker for AI agents. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MandateBrokerApplication {

    public static void main(String[] args) {
        SpringApplication.run(MandateBrokerApplication.class, args);
    }
}
