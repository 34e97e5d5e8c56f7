package dev.mandate.broker.embeddedpg;

import com.zaxxer.hikari.HikariDataSource;
import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.datadir.DataDirectory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * With no {@code spring.datasource.url}, start PostgreSQL in the data directory and point a
 * Hikari pool at it; Boot's own DataSource configuration then backs off. The pool settings under
 * {@code spring.datasource.hikari.*} apply as they would to an external database.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseMode.class)
class EmbeddedPostgresConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedPostgresLauncher embeddedPostgres(MandateProperties properties) {
        return EmbeddedPostgresLauncher.start(new DataDirectory(properties.dataDir()));
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgresLauncher postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.jdbcUrl());
        dataSource.setUsername(EmbeddedPostgresLauncher.USER);
        dataSource.setPoolName("mandate");
        return dataSource;
    }
}
