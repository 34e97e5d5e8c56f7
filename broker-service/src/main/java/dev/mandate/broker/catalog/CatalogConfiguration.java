package dev.mandate.broker.catalog;

import java.time.Clock;

import dev.mandate.broker.discovery.IssuerUrl;
import dev.mandate.broker.tokens.IssuedTokenStore;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.exchange.workload.IssuerKeySources;
import dev.mandate.exchange.workload.TrustedIssuers;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The library ports, backed by PostgreSQL. */
@Configuration(proxyBeanMethods = false)
class CatalogConfiguration {

    @Bean
    AgentDirectory agentDirectory(JdbcClient jdbc) {
        return new JdbcAgentDirectory(jdbc);
    }

    @Bean
    ScopeCatalog scopeCatalog(JdbcClient jdbc) {
        return new JdbcScopeCatalog(jdbc);
    }

    @Bean
    TrustedIssuers trustedIssuers(JdbcClient jdbc, IssuerUrl issuer) {
        return new JdbcTrustedIssuers(jdbc, issuer, IssuerKeySources.RemoteLimits.DEFAULT);
    }

    @Bean
    WorkloadIdentityVerifier workloadIdentityVerifier(TrustedIssuers issuers, AgentDirectory agents, Clock clock) {
        return new WorkloadIdentityVerifier(issuers, agents, clock);
    }

    @Bean
    IssuedTokenStore issuedTokenStore(JdbcClient jdbc) {
        return new IssuedTokenStore(jdbc);
    }
}
