package dev.mandate.broker.keys;

import java.time.Clock;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.datadir.DataDirectory;
import dev.mandate.broker.embeddedpg.EmbeddedDatabaseMode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class KeysConfiguration {

    @Bean
    MasterKey masterKey(MandateProperties properties, Environment environment) {
        return MasterKey.load(properties.masterKey(), EmbeddedDatabaseMode.isEmbedded(environment),
                new DataDirectory(properties.dataDir()));
    }

    @Bean
    @DependsOn("flywayInitializer")
    SigningKeys signingKeys(SigningKeyStore store, MandateProperties properties) {
        return new SigningKeys(store, properties.keys().algorithm());
    }

    @Bean
    SigningKeyStore signingKeyStore(JdbcClient jdbc, TransactionTemplate transactions, MasterKey masterKey, Clock clock) {
        return new SigningKeyStore(jdbc, transactions, masterKey, clock);
    }

    @Bean(destroyMethod = "close")
    KeyRotation keyRotation(SigningKeyStore store, SigningKeys keys, dev.mandate.broker.audit.AuditTrail audit, Clock clock,
                            MandateProperties properties) {
        return new KeyRotation(store, keys, audit, clock, properties);
    }

    @Bean
    BrokerTokens brokerTokens(SigningKeys keys) {
        return new BrokerTokens(keys);
    }

    /** What Spring's JWK set endpoint serves: public parts only; signing never goes through it. */
    @Bean
    JWKSource<SecurityContext> jwkSource(SigningKeys keys) {
        return (selector, context) -> selector.select(keys.publicJwkSet());
    }
}
