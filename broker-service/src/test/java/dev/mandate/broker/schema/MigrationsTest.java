package dev.mandate.broker.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import dev.mandate.broker.support.BrokerIntegrationTest;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class MigrationsTest extends BrokerIntegrationTest {

    @Autowired
    HikariDataSource dataSource;

    @Test
    @DisplayName("every migration in db/ applies to an empty database and validates")
    void applyToEmptyDatabase() {
        String name = "mandate_migrations_" + System.nanoTime();
        jdbc.sql("CREATE DATABASE " + name).update();
        try {
            String url = dataSource.getJdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
            var target = new DriverManagerDataSource(url, dataSource.getUsername(), dataSource.getPassword());
            Flyway flyway = Flyway.configure().dataSource(target).locations("classpath:db/migration").load();
            assertThat(flyway.info().all()).isNotEmpty().allMatch(m -> m.getState().isResolved());
            var result = flyway.migrate();
            assertThat(result.success).isTrue();
            assertThat(result.migrationsExecuted).isEqualTo(flyway.info().all().length);
            assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
            List<String> tables = JdbcClient.create(target).sql("""
                    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'""")
                    .query(String.class).list();
            assertThat(tables).contains("trusted_issuers", "agents", "resource_servers", "scopes", "tokens",
                    "budget_accounts", "usage_charges", "signing_keys", "audit_events");
        } finally {
            jdbc.sql("DROP DATABASE " + name + " WITH (FORCE)").update();
        }
    }

    @Test
    @DisplayName("migration file names follow V<n>__<verb>_<noun>.sql")
    void fileNames() {
        Flyway flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
        for (MigrationInfo info : flyway.info().all()) {
            assertThat(info.getScript()).matches("V\\d+__[a-z]+_[a-z_]+\\.sql");
        }
    }

    @Test
    @DisplayName("the tokens table has no column that could hold a bearer token in clear")
    void noClearTokens() {
        List<String> columns = jdbc.sql("""
                SELECT column_name FROM information_schema.columns WHERE table_name = 'tokens'""").query(String.class).list();
        assertThat(columns).contains("jti", "token_sha256").doesNotContain("token", "access_token", "token_value");
    }

    @Test
    @DisplayName("a budget account that breaks remaining + carved + charged = limit is refused by the database")
    void budgetInvariantInSchema() {
        assertThatThrownBy(() -> jdbc.sql("""
                INSERT INTO budget_accounts (task_id, unit, limit_amount, remaining, carved, charged)
                VALUES ('tsk_schema_test', 'calls', 10, 10, 1, 0)""").update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }
}
