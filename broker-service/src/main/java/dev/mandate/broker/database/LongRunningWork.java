package dev.mandate.broker.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the rare database work, in one snapshot, that may legitimately take longer than a request's limits (the
 * audit verification walks every event) in one read-only transaction whose connection gets
 * {@code mandate.database.long-statement-timeout} as socket and statement timeout. The pool resets
 * the socket timeout when the connection comes back; {@code SET LOCAL} ends with the transaction.
 */
public final class LongRunningWork {

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate readOnly;
    private final Duration timeout;

    public LongRunningWork(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transactions, Duration timeout) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
        this.readOnly.setReadOnly(true);
        this.readOnly.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.timeout = timeout;
    }

    public <T> T run(Supplier<T> work) {
        return readOnly.execute(tx -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
                connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            } catch (SQLException e) {
                throw new DataAccessResourceFailureException("cannot extend the socket timeout", e);
            }
            jdbc.sql("SELECT set_config('statement_timeout', ?, true)").param(timeout.toMillis() + "ms").query().singleValue();
            return work.get();
        });
    }
}
