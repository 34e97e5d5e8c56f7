package dev.mandate.broker.database;

import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.mandate.broker.MandateProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** Database limits beyond the pool's (README "Faults and timeouts"). */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    @Bean
    LongRunningWork longRunningWork(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transactions,
                                    MandateProperties properties) {
        return new LongRunningWork(dataSource, jdbc, transactions, properties.database().longStatementTimeout());
    }

    /**
     * Migrations may rewrite big tables: Flyway gets its own unpooled connections to the same
     * database with the long timeouts instead of the request limits of the pool.
     */
    @Bean
    FlywayConfigurationCustomizer flywayWithLongTimeouts(MandateProperties properties) {
        return configuration -> {
            if (configuration.getDataSource() instanceof HikariDataSource pool && pool.getJdbcUrl() != null) {
                long millis = properties.database().longStatementTimeout().toMillis();
                Properties connection = new Properties();
                connection.putAll(pool.getDataSourceProperties());
                if (pool.getUsername() != null) {
                    connection.setProperty("user", pool.getUsername());
                }
                if (pool.getPassword() != null) {
                    connection.setProperty("password", pool.getPassword());
                }
                connection.setProperty("socketTimeout", String.valueOf(Math.max(1, millis / 1000)));
                connection.setProperty("options", "-c statement_timeout=" + millis + " -c lock_timeout=" + millis);
                SimpleDriverDataSource migrations = new SimpleDriverDataSource(new org.postgresql.Driver(), pool.getJdbcUrl());
                migrations.setConnectionProperties(connection);
                configuration.dataSource(migrations);
            }
        };
    }
}
