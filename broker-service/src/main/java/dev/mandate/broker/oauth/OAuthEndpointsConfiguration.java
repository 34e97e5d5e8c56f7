package dev.mandate.broker.oauth;

import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.http.RefusalRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OAuthEndpointsConfiguration {

    /** Runs before Spring Security, so malformed requests never reach client authentication. */
    @Bean
    FilterRegistrationBean<FormRequestFilter> formRequestFilter(RefusalRateLimiter limiter, EndpointMetrics metrics,
                                                                MandateProperties properties) {
        FilterRegistrationBean<FormRequestFilter> registration = new FilterRegistrationBean<>(
                new FormRequestFilter(limiter, metrics, properties.http().bodyReadTimeout()));
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 10);
        registration.addUrlPatterns("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke");
        return registration;
    }

    @Bean
    EndpointMetrics endpointMetrics(MeterRegistry registry) {
        return new EndpointMetrics(registry);
    }

    @Bean
    OAuthFailureHandler oauthFailureHandler(AuditTrail audit, EndpointMetrics metrics, RefusalRateLimiter limiter) {
        return new OAuthFailureHandler(audit, metrics, limiter);
    }
}
