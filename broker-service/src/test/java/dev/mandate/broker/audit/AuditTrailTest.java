package dev.mandate.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.mandate.broker.support.BrokerIntegrationTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class AuditTrailTest extends BrokerIntegrationTest {

    @Autowired
    AuditTrail audit;

    @Test
    @DisplayName("appended events chain by hash and verify")
    void chainVerifies() {
        for (int i = 0; i < 40; i++) {
            audit.append(AuditEvent.success("test.event").actor("admin:test").jti("jti-" + i)
                    .details(Map.of("n", i, "nested", Map.of("b", "x", "a", "y"))).build());
        }
        assertThat(audit.verify()).isEmpty();
    }

    @Test
    @DisplayName("audit events cannot be edited or deleted in place")
    void appendOnly() {
        audit.append(AuditEvent.refused("test.refusal", "because").build());
        assertThatThrownBy(() -> jdbc.sql("UPDATE audit_events SET reason = 'edited' WHERE type = 'test.refusal'").update())
                .rootCause().hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM audit_events WHERE type = 'test.refusal'").update())
                .rootCause().hasMessageContaining("append-only");
    }

    @Test
    @DisplayName("a forged event inserted behind the trail's back breaks verification")
    void forgeryDetected() {
        audit.append(AuditEvent.success("test.before-forgery").build());
        assertThat(audit.verify()).isEmpty();
        jdbc.sql("""
                INSERT INTO audit_events (chain_id, chain_seq, occurred_at, type, outcome, prev_hash, hash)
                SELECT chain_id, last_seq + 1, now(), 'forged', 'success', last_hash, decode(repeat('11', 32), 'hex')
                FROM audit_chains WHERE chain_id = 0""").update();
        try {
            assertThat(audit.verify()).anySatisfy(p -> assertThat(p).contains("chain 0"));
        } finally {
            // Remove the forgery (as the table owner, bypassing the append-only trigger) so that later
            // tests in this JVM see an intact trail again.
            jdbc.sql("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only").update();
            jdbc.sql("DELETE FROM audit_events WHERE type = 'forged'").update();
            jdbc.sql("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only").update();
        }
        assertThat(audit.verify()).isEmpty();
    }
}
