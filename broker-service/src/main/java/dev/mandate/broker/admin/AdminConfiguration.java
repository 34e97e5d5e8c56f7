package dev.mandate.broker.admin;

import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.datadir.DataDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class AdminConfiguration {

    @Bean
    @DependsOn("flywayInitializer")
    AdminTokens adminTokens(JdbcClient jdbc, TransactionTemplate transactions, MandateProperties properties) {
        AdminTokens tokens = new AdminTokens(jdbc);
        tokens.bootstrap(properties.adminToken(), new DataDirectory(properties.dataDir()), transactions);
        return tokens;
    }

    @Bean
    AdminChanges adminChanges(TransactionTemplate transactions, dev.mandate.broker.audit.AuditTrail audit) {
        return new AdminChanges(transactions, audit);
    }

}
