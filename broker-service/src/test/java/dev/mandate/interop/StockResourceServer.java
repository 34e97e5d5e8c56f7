package dev.mandate.interop;

import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stock Spring Boot resource server: Boot's auto-configuration with only
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} set (SPEC §4.4). With
 * {@code interop.rfc9068=true} it adds the one thing RFC 9068 asks of a resource server that
 * Spring Security 7.1's defaults lack: accepting {@code typ: at+jwt}. Lives outside the broker's
 * packages so it shares none of its configuration.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StockResourceServer {

    @Bean
    @ConditionalOnProperty("interop.rfc9068")
    JwtDecoder rfc9068JwtDecoder(@Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
                List.of(new JwtIssuerValidator(issuer), new JwtTypeValidator("at+jwt", "application/at+jwt"))));
        return decoder;
    }

    @RestController
    static class Orders {
        @GetMapping("/orders")
        Map<String, Object> orders(@AuthenticationPrincipal Jwt jwt) {
            return Map.of("sub", jwt.getSubject(), "client_id", jwt.getClaimAsString("client_id"));
        }
    }
}
