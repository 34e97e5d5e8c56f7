package dev.mandate.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.mandate.broker.support.AdminClient;
import dev.mandate.broker.support.BrokerIntegrationTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** GET /admin/v1/audit and /admin/v1/audit/verify (SPEC §8). */
class AuditVerificationTest extends BrokerIntegrationTest {

    @Autowired
    AuditTrail audit;

    @Test
    @DisplayName("editing one row makes verify report that row; restoring it makes the trail intact again")
    void editDetected() {
        AdminClient admin = new AdminClient(port, ADMIN_TOKEN);
        audit.append(AuditEvent.refused("test.verify", "original").actor("test").build());
        long id = jdbc.sql("SELECT max(id) FROM audit_events WHERE type = 'test.verify'").query(Long.class).single();
        assertThat(admin.get("/admin/v1/audit/verify").json()).containsEntry("intact", true);
        jdbc.sql("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only").update();
        try {
            jdbc.sql("UPDATE audit_events SET reason = 'edited' WHERE id = ?").param(id).update();
            Map<String, Object> report = admin.get("/admin/v1/audit/verify").json();
            assertThat(report).containsEntry("intact", false);
            assertThat((List<?>) report.get("problems")).anySatisfy(p -> assertThat(p.toString()).startsWith("event " + id + " "));
            jdbc.sql("UPDATE audit_events SET reason = 'original' WHERE id = ?").param(id).update();
        } finally {
            jdbc.sql("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only").update();
        }
        assertThat(admin.get("/admin/v1/audit/verify").json()).containsEntry("intact", true);
    }

    @Test
    @DisplayName("the audit query filters by type, outcome and time, newest first, with a cursor")
    void query() {
        AdminClient admin = new AdminClient(port, ADMIN_TOKEN);
        for (int i = 0; i < 3; i++) {
            audit.append(AuditEvent.refused("test.query", "r" + i).build());
        }
        AdminClient.Response first = admin.get("/admin/v1/audit?type=test.query&outcome=refused&limit=2&since=2020-01-01T00:00:00Z");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) first.json().get("items");
        assertThat(items).extracting(m -> m.get("reason")).containsExactly("r2", "r1");
        AdminClient.Response second = admin.get("/admin/v1/audit?type=test.query&outcome=refused&limit=2&cursor=" + first.json().get("next_cursor"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rest = (List<Map<String, Object>>) second.json().get("items");
        assertThat(rest).extracting(m -> m.get("reason")).containsExactly("r0");
        assertThat(admin.get("/admin/v1/audit?type=test.query&until=2020-01-01T00:00:00Z").json().get("items")).isEqualTo(List.of());
    }
}
