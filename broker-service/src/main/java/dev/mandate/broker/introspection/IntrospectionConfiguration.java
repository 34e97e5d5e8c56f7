package dev.mandate.broker.introspection;

import java.time.Clock;

import dev.mandate.broker.oauth.EndpointMetrics;
import dev.mandate.broker.oauth.OAuthFailureHandler;
import dev.mandate.broker.tokens.IssuedTokenStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IntrospectionConfiguration {

    @Bean
    Introspection introspection(IssuedTokenStore store, Clock clock, EndpointMetrics metrics, OAuthFailureHandler failureHandler) {
        return new Introspection(store, clock, metrics, failureHandler);
    }
}
