package dev.mandate.broker.admin.tokens;

import dev.mandate.broker.database.LongRunningWork;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mandate.broker.admin.AdminChanges;
import dev.mandate.broker.admin.AdminRefusal;
import dev.mandate.broker.admin.Pages;
import dev.mandate.broker.tokens.IssuedTokenStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operations on issued tokens (metadata only, never token values) and the audit trail (SPEC §8). */
@RestController
@RequestMapping("/admin/v1")
class TokensAdminController {

    private final JdbcClient jdbc;
    private final IssuedTokenStore tokens;
    private final AdminChanges changes;
    private final Clock clock;
    private final dev.mandate.broker.audit.AuditTrail audit;
    private final LongRunningWork longRunning;

    TokensAdminController(JdbcClient jdbc, IssuedTokenStore tokens, AdminChanges changes, Clock clock,
                          dev.mandate.broker.audit.AuditTrail audit, LongRunningWork longRunning) {
        this.longRunning = longRunning;
        this.jdbc = jdbc;
        this.tokens = tokens;
        this.changes = changes;
        this.clock = clock;
        this.audit = audit;
    }

    @GetMapping("/tokens")
    Map<String, Object> list(@RequestParam(required = false) String agent, @RequestParam(name = "task_id", required = false) String taskId,
                             @RequestParam(required = false) Boolean active, @RequestParam(required = false) Integer limit,
                             @RequestParam(required = false) String cursor) {
        int n = Pages.limit(limit);
        Timestamp now = Timestamp.from(clock.instant());
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT t.jti, t.task_id, t.parent_jti, t.depth, t.subject, t.agent_id, t.audience, t.scopes::text[] AS scopes,
                       t.issued_at, t.expires_at, t.revoked_at, t.revoked_reason, b.limit_amount, b.remaining, b.unit
                FROM tokens t LEFT JOIN budget_accounts b ON b.id = t.budget_account_id
                WHERE t.jti > :after AND (CAST(:agent AS text) IS NULL OR t.agent_id = :agent)
                  AND (CAST(:task AS text) IS NULL OR t.task_id = :task)
                  AND (CAST(:active AS boolean) IS NULL OR ((t.revoked_at IS NULL AND t.expires_at > :now) = :active))
                ORDER BY t.jti LIMIT :limit""")
                .param("after", Pages.after(cursor)).param("agent", agent).param("task", taskId).param("active", active)
                .param("now", now).param("limit", n + 1)
                .query(TokensAdminController::map).list();
        return Pages.page(rows, n, r -> (String) r.get("jti"));
    }

    @PostMapping("/tokens/{jti}/revoke")
    Map<String, Object> revokeToken(@PathVariable String jti) {
        if (tokens.findByJti(jti).isEmpty()) {
            throw AdminRefusal.notFound("token");
        }
        List<String> revoked = changes.apply("admin.token.revoke", jti, () -> tokens.revokeCascade(jti, "revoked_by_admin", clock.instant()));
        return Map.of("revoked", revoked.size());
    }

    @PostMapping("/tasks/{taskId}/revoke")
    Map<String, Object> revokeTask(@PathVariable String taskId) {
        List<String> roots = jdbc.sql("SELECT jti FROM tokens WHERE task_id = ? AND depth = 0").param(taskId).query(String.class).list();
        if (roots.isEmpty()) {
            throw AdminRefusal.notFound("task");
        }
        List<String> revoked = changes.apply("admin.task.revoke", taskId, () -> {
            List<String> all = new ArrayList<>();
            Instant now = clock.instant();
            roots.forEach(root -> all.addAll(tokens.revokeCascade(root, "task_revoked_by_admin", now)));
            return all;
        });
        return Map.of("revoked", revoked.size());
    }

    @GetMapping("/audit")
    Map<String, Object> audit(@RequestParam(required = false) String type, @RequestParam(required = false) String agent,
                              @RequestParam(name = "task_id", required = false) String taskId,
                              @RequestParam(required = false) String jti, @RequestParam(required = false) String outcome,
                              @RequestParam(required = false) java.time.OffsetDateTime since,
                              @RequestParam(required = false) java.time.OffsetDateTime until,
                              @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int n = Pages.limit(limit);
        String after = Pages.after(cursor);
        long afterId;
        try {
            afterId = after.isEmpty() ? Long.MAX_VALUE : Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw new AdminRefusal(400, "validation", "cursor is not one this API returned", List.of(Map.of("field", "cursor", "message", "malformed")));
        }
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT id, occurred_at, type, outcome, reason, actor, agent_id, jti, task_id, parent_jti, audience, scopes,
                       client_address, details::text AS details
                FROM audit_events
                WHERE id < :after AND (CAST(:type AS text) IS NULL OR type = :type) AND (CAST(:agent AS text) IS NULL OR agent_id = :agent)
                  AND (CAST(:task AS text) IS NULL OR task_id = :task) AND (CAST(:jti AS text) IS NULL OR jti = :jti)
                  AND (CAST(:outcome AS text) IS NULL OR outcome = :outcome)
                  AND (CAST(:since AS timestamptz) IS NULL OR occurred_at >= :since)
                  AND (CAST(:until AS timestamptz) IS NULL OR occurred_at < :until)
                ORDER BY id DESC LIMIT :limit""")
                .param("after", afterId).param("type", type).param("agent", agent).param("task", taskId).param("jti", jti)
                .param("outcome", outcome)
                .param("since", since == null ? null : Timestamp.from(since.toInstant()))
                .param("until", until == null ? null : Timestamp.from(until.toInstant()))
                .param("limit", n + 1)
                .query((rs, i) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", rs.getLong("id"));
                    row.put("occurred_at", rs.getTimestamp("occurred_at").toInstant().toString());
                    for (String column : List.of("type", "outcome", "reason", "actor", "agent_id", "jti", "task_id", "parent_jti",
                            "audience", "scopes", "client_address", "details")) {
                        row.put(column, rs.getString(column));
                    }
                    return row;
                }).list();
        return Pages.page(rows, n, r -> String.valueOf(r.get("id")));
    }

    /** Walks every hash chain and reports the first broken link of each (SPEC §1: audit events are hash chained). */
    @GetMapping("/audit/verify")
    Map<String, Object> verify() {
        // One snapshot for the walk and the count, with the long timeouts: the trail may be big.
        return longRunning.run(() -> {
            List<String> problems = audit.verify();
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("intact", problems.isEmpty());
            report.put("events", audit.size());
            report.put("problems", problems);
            return report;
        });
    }

    private static Map<String, Object> map(ResultSet rs, int n) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("jti", rs.getString("jti"));
        row.put("task_id", rs.getString("task_id"));
        row.put("parent_jti", rs.getString("parent_jti"));
        row.put("depth", rs.getInt("depth"));
        row.put("subject", rs.getString("subject"));
        row.put("agent_id", rs.getString("agent_id"));
        row.put("audience", rs.getString("audience"));
        row.put("scopes", List.of((String[]) rs.getArray("scopes").getArray()));
        row.put("issued_at", rs.getTimestamp("issued_at").toInstant().toString());
        row.put("expires_at", rs.getTimestamp("expires_at").toInstant().toString());
        Timestamp revoked = rs.getTimestamp("revoked_at");
        row.put("revoked_at", revoked == null ? null : revoked.toInstant().toString());
        row.put("revoked_reason", rs.getString("revoked_reason"));
        long limit = rs.getLong("limit_amount");
        if (!rs.wasNull()) {
            row.put("budget", Map.of("limit", limit, "remaining", rs.getLong("remaining"), "unit", rs.getString("unit")));
        } else {
            row.put("budget", null);
        }
        return row;
    }
}
