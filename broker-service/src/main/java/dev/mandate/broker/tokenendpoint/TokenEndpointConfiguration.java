package dev.mandate.broker.tokenendpoint;

import java.time.Clock;
import java.time.Duration;

import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.discovery.IssuerUrl;
import dev.mandate.broker.keys.BrokerTokens;
import dev.mandate.broker.oauth.EndpointMetrics;
import dev.mandate.broker.oauth.OAuthFailureHandler;
import dev.mandate.broker.tokens.IssuedTokenStore;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.exchange.TokenExchangePolicy;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class TokenEndpointConfiguration {

    @Bean
    TokenExchangePolicy tokenExchangePolicy(Clock clock, @Value("${mandate.max-token-ttl:3600s}") Duration maxTtl) {
        return new TokenExchangePolicy(clock, maxTtl);
    }

    @Bean
    TokenEndpoint tokenEndpoint(TokenExchangePolicy policy, WorkloadIdentityVerifier verifier, AgentDirectory agents,
                                ScopeCatalog catalog, IssuedTokenStore store, BrokerTokens tokens, IssuerUrl issuer,
                                AuditTrail audit, TransactionTemplate transactions, EndpointMetrics metrics,
                                OAuthFailureHandler failureHandler) {
        TokenExchangeService service = new TokenExchangeService(policy, verifier, agents, catalog, store, tokens, issuer,
                audit, transactions);
        return new TokenEndpoint(new TokenExchangeProvider(service), new TokenResponseWriter(metrics), failureHandler);
    }
}
