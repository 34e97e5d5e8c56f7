package dev.mandate.broker.admin;

import java.util.Map;
import java.util.function.Supplier;

import dev.mandate.broker.audit.AuditEvent;
import dev.mandate.broker.audit.AuditTrail;
import org.springframework.transaction.support.TransactionTemplate;

/** Runs an admin change and its audit event in one transaction (who, what, ids; never secrets). */
public final class AdminChanges {

    private final TransactionTemplate transactions;
    private final AuditTrail audit;

    public AdminChanges(TransactionTemplate transactions, AuditTrail audit) {
        this.transactions = transactions;
        this.audit = audit;
    }

    public <T> T apply(String type, String id, Supplier<T> change) {
        return transactions.execute(tx -> {
            T result = change.get();
            audit.append(AuditEvent.success(type).actor("admin").details(Map.of("id", id)).build());
            return result;
        });
    }
}
