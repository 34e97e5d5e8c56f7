package dev.mandate.broker.audit;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    @Bean
    AuditTrail auditTrail(JdbcClient jdbc, TransactionTemplate transactions, Clock clock,
                          @org.springframework.beans.factory.annotation.Value("${mandate.audit.hash-chain:true}") boolean chained) {
        return new AuditTrail(jdbc, transactions, clock, chained);
    }
}
