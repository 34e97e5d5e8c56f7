package dev.mandate.chaos;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * SECURITY.md's five invariants in SQL, plus what the clients were told: every acknowledged
 * token, revocation and charge is in the database.
 */
final class Invariants {

    private Invariants() {
    }

    static List<String> check(Postgres postgres, Collection<String> issuedJtis, Collection<String> revokedJtis,
                              Collection<String> chargedJtiKeys) throws SQLException {
        List<String> violations = new ArrayList<>();
        try (Connection c = postgres.connect()) {
            zero(c, violations, "1: a jti returned with 200 has no token row", """
                    SELECT count(*) FROM unnest(?::text[]) j WHERE NOT EXISTS (SELECT 1 FROM tokens t WHERE t.jti = j)""", issuedJtis);
            zero(c, violations, "1: a jti returned with 200 has no success audit event", """
                    SELECT count(*) FROM unnest(?::text[]) j WHERE NOT EXISTS (
                        SELECT 1 FROM audit_events a WHERE a.jti = j AND a.type = 'token.exchange' AND a.outcome = 'success')""", issuedJtis);
            zero(c, violations, "1: a token row without its audit event", """
                    SELECT count(*) FROM tokens t WHERE NOT EXISTS (
                        SELECT 1 FROM audit_events a WHERE a.jti = t.jti AND a.type = 'token.exchange' AND a.outcome = 'success')""", null);
            zero(c, violations, "2: a budget account out of balance or negative", """
                    SELECT count(*) FROM budget_accounts WHERE remaining + carved + charged <> limit_amount
                        OR remaining < 0 OR carved < 0 OR charged < 0""", null);
            zero(c, violations, "2: carved differs from the children's limits", """
                    SELECT count(*) FROM budget_accounts p WHERE p.carved <>
                        COALESCE((SELECT sum(ch.limit_amount) FROM budget_accounts ch WHERE ch.parent_id = p.id), 0)""", null);
            zero(c, violations, "2: charged differs from the recorded charges", """
                    SELECT count(*) FROM budget_accounts b WHERE b.charged <>
                        COALESCE((SELECT sum(u.amount) FROM usage_charges u WHERE u.budget_account_id = b.id), 0)""", null);
            zero(c, violations, "3: an active token under a revoked ancestor", """
                    WITH RECURSIVE anc AS (
                        SELECT t.jti AS child, t.parent_jti AS ancestor FROM tokens t
                        WHERE t.revoked_at IS NULL AND t.parent_jti IS NOT NULL AND t.expires_at > now()
                        UNION ALL SELECT a.child, p.parent_jti FROM anc a JOIN tokens p ON p.jti = a.ancestor WHERE p.parent_jti IS NOT NULL)
                    SELECT count(*) FROM anc a JOIN tokens t ON t.jti = a.ancestor WHERE t.revoked_at IS NOT NULL""", null);
            zero(c, violations, "4: a child outlives, out-scopes or mis-nests its parent", """
                    SELECT count(*) FROM tokens c JOIN tokens p ON p.jti = c.parent_jti
                    WHERE c.expires_at > p.expires_at OR NOT (c.scopes <@ p.scopes) OR c.depth <> p.depth + 1
                       OR c.task_id <> p.task_id""", null);
            zero(c, violations, "4: a token deeper than its root agent allows", """
                    SELECT count(*) FROM tokens t JOIN tokens r ON r.task_id = t.task_id AND r.depth = 0
                    JOIN agents a ON a.id = r.agent_id WHERE t.depth > a.max_delegation_depth""", null);
            zero(c, violations, "acknowledged revocation not persisted", """
                    SELECT count(*) FROM unnest(?::text[]) j JOIN tokens t ON t.jti = j WHERE t.revoked_at IS NULL""", revokedJtis);
            List<String> charged = chargedJtiKeys.stream().toList();
            zero(c, violations, "acknowledged charge not persisted", """
                    SELECT count(*) FROM unnest(?::text[]) k WHERE NOT EXISTS (SELECT 1 FROM usage_charges u
                        WHERE u.jti = split_part(k, ' ', 1) AND u.idempotency_key = split_part(k, ' ', 2))""", charged);
        }
        return violations;
    }

    private static void zero(Connection c, List<String> violations, String what, String sql, Collection<String> values)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            if (values != null) {
                Array array = c.createArrayOf("text", values.toArray());
                statement.setArray(1, array);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                if (n != 0) {
                    violations.add(what + " (" + n + ")");
                }
            }
        }
    }
}
