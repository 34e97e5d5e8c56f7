package dev.mandate.validator.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mandate.validator.InvalidTokenException;
import dev.mandate.validator.MandateToken;
import dev.mandate.validator.MandateTokenValidator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * With {@code mandate.issuer-uri} and {@code mandate.audience} set, a Spring Security resource
 * server accepts Mandate tokens: a {@link JwtDecoder} backed by {@link MandateTokenValidator}
 * (RFC 9068, {@code typ at+jwt}, this audience), so Boot's resource-server chain, the
 * {@code SCOPE_} authorities from {@code scope}, and {@code @AuthenticationPrincipal Jwt} all work;
 * {@link MandateTokens#from(Jwt)} gives controllers the actor chain and budget.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration")
@ConditionalOnClass(JwtDecoder.class)
@ConditionalOnProperty({"mandate.issuer-uri", "mandate.audience"})
public class MandateResourceServerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MandateTokenValidator mandateTokenValidator(Environment environment) {
        return MandateTokenValidator.builder(environment.getRequiredProperty("mandate.issuer-uri"),
                        environment.getRequiredProperty("mandate.audience"))
                .leeway(environment.getProperty("mandate.leeway", Duration.class, Duration.ofSeconds(30)))
                .build();
    }

    @Bean
    @ConditionalOnMissingBean(JwtDecoder.class)
    JwtDecoder mandateJwtDecoder(MandateTokenValidator validator) {
        return token -> {
            try {
                MandateToken validated = validator.validate(token);
                Map<String, Object> headers = new LinkedHashMap<>();
                headers.put("typ", "at+jwt");
                Map<String, Object> claims = new LinkedHashMap<>(validated.claims());
                // Spring's Jwt wants Instants for the time claims.
                claims.put("exp", validated.expiresAt());
                if (validated.issuedAt() != null) {
                    claims.put("iat", validated.issuedAt());
                }
                claims.remove("nbf");
                return new Jwt(token, validated.issuedAt(), validated.expiresAt(), headers, claims);
            } catch (InvalidTokenException e) {
                throw new BadJwtException("Mandate token refused: " + e.reason());
            }
        };
    }
}
