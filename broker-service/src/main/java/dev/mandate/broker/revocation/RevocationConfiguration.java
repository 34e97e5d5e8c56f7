package dev.mandate.broker.revocation;

import java.time.Clock;

import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.oauth.EndpointMetrics;
import dev.mandate.broker.oauth.OAuthFailureHandler;
import dev.mandate.broker.tokens.IssuedTokenStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class RevocationConfiguration {

    @Bean
    Revocation revocation(IssuedTokenStore store, AuditTrail audit, TransactionTemplate transactions, Clock clock,
                          EndpointMetrics metrics, OAuthFailureHandler failureHandler) {
        return new Revocation(store, audit, transactions, clock, metrics, failureHandler);
    }
}
