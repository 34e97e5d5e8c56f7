package dev.mandate.broker.usage;

import java.io.IOException;
import java.time.Clock;

import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.tokens.IssuedTokenStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Serves {@code /v1/usage} from a servlet filter ahead of Spring Security: it authenticates
 * resource servers itself (HTTP Basic against their HMAC'd secrets) and answers every request,
 * so the path never reaches the closed default chain.
 */
@Configuration(proxyBeanMethods = false)
class UsageConfiguration {

    @Bean
    UsageEndpoint usageEndpoint(ResourceServerSecrets secrets, IssuedTokenStore tokens, JdbcClient jdbc,
                                TransactionTemplate transactions, AuditTrail audit, Clock clock, MeterRegistry meters,
                                dev.mandate.broker.MandateProperties properties) {
        return new UsageEndpoint(secrets, tokens, new UsageLedger(jdbc, transactions, clock, audit), audit, clock, meters,
                properties.http().bodyReadTimeout());
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> usageFilter(UsageEndpoint endpoint) {
        OncePerRequestFilter filter = new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                endpoint.handle(request, response);
            }
        };
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/v1/usage");
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 5);
        return registration;
    }
}
