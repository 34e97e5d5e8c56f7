package dev.mandate.broker.tokens;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The compact token table (jti + SHA-256 of the token) and budget accounts. Every write here is
 * meant to run inside the caller's transaction, together with its audit event.
 */
public final class IssuedTokenStore {

    private static final String SELECT = """
            WITH RECURSIVE chain AS (
                SELECT t.jti, t.parent_jti, t.revoked_at FROM tokens t WHERE %s
                UNION ALL
                SELECT p.jti, p.parent_jti, p.revoked_at FROM tokens p JOIN chain c ON p.jti = c.parent_jti
            )
            SELECT t.jti, t.task_id, t.parent_jti, t.depth, t.subject, t.agent_id, t.actor_chain::text AS actor_chain,
                   t.audience, t.resource_server_id, t.scopes, t.issued_at, t.expires_at, t.budget_account_id,
                   t.revoked_at, b.limit_amount, b.remaining, b.unit,
                   EXISTS (SELECT 1 FROM chain WHERE revoked_at IS NOT NULL) AS chain_revoked
            FROM tokens t LEFT JOIN budget_accounts b ON b.id = t.budget_account_id
            WHERE %s""";

    private final JdbcClient jdbc;

    public IssuedTokenStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** SHA-256 of a compact token, the only form in which the broker keeps tokens. */
    public static byte[] sha256(String token) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<StoredToken> findByToken(String token) {
        return findByHash(sha256(token));
    }

    public Optional<StoredToken> findByHash(byte[] sha256) {
        return jdbc.sql(SELECT.formatted("t.token_sha256 = :hash", "t.token_sha256 = :hash"))
                .param("hash", sha256).query(IssuedTokenStore::map).optional();
    }

    public Optional<StoredToken> findByJti(String jti) {
        return jdbc.sql(SELECT.formatted("t.jti = :jti", "t.jti = :jti"))
                .param("jti", jti).query(IssuedTokenStore::map).optional();
    }

    /** The agent that holds the root token of a task. */
    public Optional<String> rootAgentId(String taskId) {
        return jdbc.sql("SELECT agent_id FROM tokens WHERE task_id = ? AND depth = 0").param(taskId)
                .query(String.class).optional();
    }

    /**
     * Locks a token and all its ancestors against revocation until the transaction ends
     * ({@code FOR SHARE}: revocations take row locks too, so one waits for the other) and says
     * whether any of them is revoked. A delegated exchange calls this before it records the
     * child, so a revocation racing it either sees the child or makes it fail (invariant 3).
     */
    public boolean lockChainAndCheckRevoked(String jti) {
        java.util.List<java.util.Map<String, Object>> rows = jdbc.sql("""
                WITH RECURSIVE chain AS (
                    SELECT jti, parent_jti FROM tokens WHERE jti = ?
                    UNION ALL
                    SELECT p.jti, p.parent_jti FROM tokens p JOIN chain c ON p.jti = c.parent_jti
                )
                SELECT t.jti, t.revoked_at FROM tokens t WHERE t.jti IN (SELECT jti FROM chain) FOR SHARE OF t""")
                .param(jti).query().listOfRows();
        return rows.isEmpty() || rows.stream().anyMatch(r -> r.get("revoked_at") != null);
    }

    /** The agents that held this token or any of its ancestors: who may revoke it (SPEC §5). */
    public List<String> chainAgentIds(String jti) {
        return jdbc.sql("""
                WITH RECURSIVE chain AS (
                    SELECT jti, parent_jti, agent_id FROM tokens WHERE jti = ?
                    UNION ALL
                    SELECT p.jti, p.parent_jti, p.agent_id FROM tokens p JOIN chain c ON p.jti = c.parent_jti
                )
                SELECT DISTINCT agent_id FROM chain""").param(jti).query(String.class).list();
    }

    /**
     * Revokes a token and every descendant not yet revoked, in one statement (a recursive walk
     * over the parent index). Returns the jtis it revoked.
     */
    public List<String> revokeCascade(String jti, String reason, Instant now) {
        // The first pass locks the tree it sees. A delegated exchange that committed a child after
        // that statement's snapshot but before its locks is caught by the next pass (a new snapshot
        // in READ COMMITTED); later exchanges wait on our locks and then find the parent revoked.
        List<String> revoked = new java.util.ArrayList<>(revokePass(jti, reason, now));
        for (int pass = 0; pass < 8; pass++) {
            List<String> more = revokePass(jti, reason, now);
            if (more.isEmpty()) {
                break;
            }
            revoked.addAll(more);
        }
        return revoked;
    }

    private List<String> revokePass(String jti, String reason, Instant now) {
        return jdbc.sql("""
                WITH RECURSIVE tree AS (
                    SELECT jti FROM tokens WHERE jti = :jti
                    UNION ALL
                    SELECT t.jti FROM tokens t JOIN tree ON t.parent_jti = tree.jti
                )
                UPDATE tokens SET revoked_at = :now, revoked_reason = :reason
                WHERE jti IN (SELECT jti FROM tree) AND revoked_at IS NULL
                RETURNING jti""")
                .param("jti", jti).param("now", Timestamp.from(now)).param("reason", reason)
                .query(String.class).list();
    }

    /** Opens the budget account of a root token. */
    public long openAccount(String taskId, String unit, long limit) {
        return jdbc.sql("""
                INSERT INTO budget_accounts (task_id, unit, limit_amount, remaining) VALUES (?, ?, ?, ?) RETURNING id""")
                .params(taskId, unit, limit, limit).query(Long.class).single();
    }

    /**
     * Carves {@code amount} out of the parent account into a new child account, atomically: the
     * conditional update either moves the amount or changes nothing (SECURITY.md invariant 2).
     */
    public Optional<Long> carve(long parentAccountId, String taskId, long amount) {
        Optional<String> unit = jdbc.sql("""
                UPDATE budget_accounts SET remaining = remaining - :amount, carved = carved + :amount
                WHERE id = :id AND remaining >= :amount RETURNING unit""")
                .param("amount", amount).param("id", parentAccountId).query(String.class).optional();
        return unit.map(u -> jdbc.sql("""
                INSERT INTO budget_accounts (parent_id, task_id, unit, limit_amount, remaining)
                VALUES (?, ?, ?, ?, ?) RETURNING id""")
                .params(parentAccountId, taskId, u, amount, amount).query(Long.class).single());
    }

    public void insert(NewToken token) {
        jdbc.sql("""
                INSERT INTO tokens (jti, token_sha256, task_id, parent_jti, depth, subject, agent_id, actor_chain, audience,
                    resource_server_id, scopes, issued_at, expires_at, budget_account_id, kid)
                VALUES (:jti, :hash, :task, :parent, :depth, :subject, :agent, CAST(:act AS jsonb), :aud, :rs, :scopes,
                    :iat, :exp, :account, :kid)""")
                .param("jti", token.jti()).param("hash", token.sha256()).param("task", token.taskId())
                .param("parent", token.parentJti()).param("depth", token.depth()).param("subject", token.subject())
                .param("agent", token.agentId()).param("act", token.actorChainJson()).param("aud", token.audience())
                .param("rs", token.resourceServerId()).param("scopes", token.scopes().toArray(String[]::new))
                .param("iat", Timestamp.from(token.issuedAt())).param("exp", Timestamp.from(token.expiresAt()))
                .param("account", token.budgetAccountId()).param("kid", token.kid())
                .update();
    }

    /** A row to insert: everything but the token itself. */
    public record NewToken(String jti, byte[] sha256, String taskId, String parentJti, int depth, String subject,
                           String agentId, String actorChainJson, String audience, String resourceServerId,
                           List<String> scopes, Instant issuedAt, Instant expiresAt, Long budgetAccountId, String kid) {
    }

    private static StoredToken map(ResultSet rs, int row) throws SQLException {
        Array scopes = rs.getArray("scopes");
        long account = rs.getLong("budget_account_id");
        boolean hasAccount = !rs.wasNull();
        long limit = rs.getLong("limit_amount");
        long remaining = rs.getLong("remaining");
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new StoredToken(rs.getString("jti"), rs.getString("task_id"), rs.getString("parent_jti"), rs.getInt("depth"),
                rs.getString("subject"), rs.getString("agent_id"), rs.getString("actor_chain"), rs.getString("audience"),
                rs.getString("resource_server_id"), Arrays.asList((String[]) scopes.getArray()),
                rs.getTimestamp("issued_at").toInstant(), rs.getTimestamp("expires_at").toInstant(),
                hasAccount ? account : null, hasAccount ? limit : null, hasAccount ? remaining : null,
                rs.getString("unit"), revoked == null ? null : revoked.toInstant(), rs.getBoolean("chain_revoked"));
    }
}
