package dev.mandate.broker.usage;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import dev.mandate.broker.tokens.StoredToken;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Charges a token's budget (SPEC §6). Exactness under concurrency comes from one conditional
 * {@code UPDATE ... WHERE remaining >= amount}: PostgreSQL serialises writers on the account row,
 * each re-checks the condition against the latest committed balance, and the row's CHECK keeps
 * remaining + carved + charged = limit. The transaction holding that row lock is three statements
 * long. Idempotency: the charge row is unique per (jti, idempotency_key); a duplicate rolls the
 * charge back and returns the first answer.
 */
final class UsageLedger {

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    private final dev.mandate.broker.audit.AuditTrail audit;

    UsageLedger(JdbcClient jdbc, TransactionTemplate transactions, Clock clock, dev.mandate.broker.audit.AuditTrail audit) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.audit = audit;
    }

    sealed interface Outcome permits Charged, Insufficient {
    }

    /** A recorded charge (new or replayed). limit/remaining/unit are null for a token without a budget. */
    record Charged(long chargeId, long amount, Long remaining, Long limit, String unit, boolean replay) implements Outcome {
    }

    record Insufficient(long remaining, long limit, String unit) implements Outcome {
    }

    Outcome charge(StoredToken token, String resourceServerId, long amount, String idempotencyKey) {
        Optional<Charged> previous = find(token.jti(), idempotencyKey);
        if (previous.isPresent()) {
            return previous.get();
        }
        try {
            return transactions.execute(tx -> {
                Instant now = clock.instant();
                Long remaining = null;
                Long limit = null;
                String unit = null;
                if (token.budgetAccountId() != null) {
                    var row = jdbc.sql("""
                            UPDATE budget_accounts SET remaining = remaining - :amount, charged = charged + :amount
                            WHERE id = :id AND remaining >= :amount RETURNING remaining, limit_amount, unit""")
                            .param("amount", amount).param("id", token.budgetAccountId()).query().listOfRows().stream().findFirst();
                    if (row.isEmpty()) {
                        var account = jdbc.sql("SELECT remaining, limit_amount, unit FROM budget_accounts WHERE id = ?")
                                .param(token.budgetAccountId()).query().singleRow();
                        return new Insufficient(((Number) account.get("remaining")).longValue(),
                                ((Number) account.get("limit_amount")).longValue(), (String) account.get("unit"));
                    }
                    remaining = ((Number) row.get().get("remaining")).longValue();
                    limit = ((Number) row.get().get("limit_amount")).longValue();
                    unit = (String) row.get().get("unit");
                }
                long id = jdbc.sql("""
                        INSERT INTO usage_charges (jti, idempotency_key, resource_server_id, budget_account_id, amount,
                            remaining_after, charged_at)
                        VALUES (:jti, :key, :rs, :account, :amount, :remaining, :at) RETURNING id""")
                        .param("jti", token.jti()).param("key", idempotencyKey).param("rs", resourceServerId)
                        .param("account", token.budgetAccountId()).param("amount", amount).param("remaining", remaining)
                        .param("at", Timestamp.from(now)).query(Long.class).single();
                audit.append(dev.mandate.broker.audit.AuditEvent.success("usage.charge").actor("rs:" + resourceServerId)
                        .agent(token.agentId()).jti(token.jti()).task(token.taskId())
                        .details(java.util.Map.of("charge_id", id, "amount", amount)).build());
                return new Charged(id, amount, remaining, limit, unit, false);
            });
        } catch (DuplicateKeyException raced) {
            // A concurrent request with the same key committed first; ours rolled back entirely.
            return find(token.jti(), idempotencyKey).orElseThrow(() -> raced);
        }
    }

    /** The charge already recorded under this key for this token, as a replay. */
    Optional<Charged> find(String jti, String idempotencyKey) {
        return jdbc.sql("""
                SELECT c.id, c.amount, c.remaining_after, b.limit_amount, b.unit
                FROM usage_charges c LEFT JOIN budget_accounts b ON b.id = c.budget_account_id
                WHERE c.jti = ? AND c.idempotency_key = ?""").params(jti, idempotencyKey)
                .query((rs, n) -> {
                    long remaining = rs.getLong("remaining_after");
                    boolean none = rs.wasNull();
                    long limit = rs.getLong("limit_amount");
                    return new Charged(rs.getLong("id"), rs.getLong("amount"), none ? null : remaining,
                            none ? null : limit, rs.getString("unit"), true);
                }).optional();
    }
}
