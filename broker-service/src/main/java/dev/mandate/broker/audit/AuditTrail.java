package dev.mandate.broker.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import com.nimbusds.jose.util.JSONObjectUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The append-only, hash-chained audit trail. {@link #append} joins the caller's transaction when
 * there is one, so an event commits or rolls back with the change it records (audit fails closed);
 * otherwise it commits on its own (refusals, which change nothing else).
 *
 * <p>Events are spread over {@value #CHAINS} chains; each event's hash is
 * SHA-256(previous hash of its chain ‖ canonical encoding of the event), so editing, removing or
 * reordering any event breaks {@link #verify()}.
 */
public final class AuditTrail {

    static final int CHAINS = 8;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    private final boolean chained;

    public AuditTrail(JdbcClient jdbc, TransactionTemplate transactions, Clock clock) {
        this(jdbc, transactions, clock, true);
    }

    /** @param chained false only to measure what the chain costs: events are then not linked and do not verify */
    public AuditTrail(JdbcClient jdbc, TransactionTemplate transactions, Clock clock, boolean chained) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.chained = chained;
    }

    public void append(AuditEvent event) {
        transactions.executeWithoutResult(tx -> appendInTransaction(event));
    }

    private void appendInTransaction(AuditEvent event) {
        int chain = chained ? ThreadLocalRandom.current().nextInt(CHAINS) : 0;
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);   // PostgreSQL keeps microseconds
        long seq;
        byte[] prev;
        if (chained) {
            var head = jdbc.sql("SELECT last_seq, last_hash FROM audit_chains WHERE chain_id = ? FOR UPDATE")
                    .param(chain).query().singleRow();
            seq = ((Number) head.get("last_seq")).longValue() + 1;
            prev = (byte[]) head.get("last_hash");
        } else {
            seq = jdbc.sql("SELECT nextval('audit_unchained_seq')").query(Long.class).single();
            prev = new byte[32];
        }
        String details = event.details() == null ? null : JSONObjectUtils.toJSONString(sorted(event.details()));
        byte[] hash = hash(prev, chain, seq, at, event, details);
        jdbc.sql("""
                INSERT INTO audit_events (chain_id, chain_seq, occurred_at, type, outcome, reason, actor, agent_id, jti,
                    task_id, parent_jti, audience, scopes, client_address, details, prev_hash, hash)
                VALUES (:chain, :seq, :at, :type, :outcome, :reason, :actor, :agent, :jti, :task, :parent, :aud, :scopes,
                    :addr, CAST(:details AS jsonb), :prev, :hash)""")
                .param("chain", chain).param("seq", seq).param("at", Timestamp.from(at))
                .param("type", event.type()).param("outcome", event.outcome()).param("reason", event.reason())
                .param("actor", event.actor()).param("agent", event.agentId()).param("jti", event.jti())
                .param("task", event.taskId()).param("parent", event.parentJti()).param("aud", event.audience())
                .param("scopes", event.scopes()).param("addr", event.clientAddress()).param("details", details)
                .param("prev", prev).param("hash", hash)
                .update();
        if (chained) {
            jdbc.sql("UPDATE audit_chains SET last_seq = ?, last_hash = ? WHERE chain_id = ?")
                    .params(seq, hash, chain).update();
        }
    }

    /** Number of events, for the verify report. */
    public long size() {
        return jdbc.sql("SELECT count(*) FROM audit_events").query(Long.class).single();
    }

    /** Recomputes every chain; returns the problems found, first broken link of each chain first (empty when intact). */
    public List<String> verify() {
        List<String> problems = new ArrayList<>();
        for (int chain = 0; chain < CHAINS; chain++) {
            final int c = chain;
            byte[][] expectedPrev = {new byte[32]};
            long[] expectedSeq = {1};
            jdbc.sql("""
                    SELECT id, chain_seq, occurred_at, type, outcome, reason, actor, agent_id, jti, task_id, parent_jti,
                           audience, scopes, client_address, details::text AS details, prev_hash, hash
                    FROM audit_events WHERE chain_id = ? ORDER BY chain_seq""").param(c).query(rs -> {
                long seq = rs.getLong("chain_seq");
                byte[] prev = rs.getBytes("prev_hash");
                byte[] stored = rs.getBytes("hash");
                AuditEvent event = new AuditEvent(rs.getString("type"), rs.getString("outcome"), rs.getString("reason"),
                        rs.getString("actor"), rs.getString("agent_id"), rs.getString("jti"), rs.getString("task_id"),
                        rs.getString("parent_jti"), rs.getString("audience"), rs.getString("scopes"),
                        rs.getString("client_address"), null);
                String details = rs.getString("details");
                String canonical = details == null ? null : canonicalJson(details);
                byte[] recomputed = hash(prev, c, seq, rs.getTimestamp("occurred_at").toInstant(), event, canonical);
                long id = rs.getLong("id");
                if (seq != expectedSeq[0]) {
                    problems.add("event " + id + " (chain " + c + "): expected sequence " + expectedSeq[0] + " but found " + seq
                            + " (events removed or inserted)");
                }
                if (!Arrays.equals(prev, expectedPrev[0])) {
                    problems.add("event " + id + " (chain " + c + " seq " + seq + "): previous hash does not match");
                }
                if (!MessageDigest.isEqual(recomputed, stored)) {
                    problems.add("event " + id + " (chain " + c + " seq " + seq + "): content does not match its hash (edited)");
                }
                expectedPrev[0] = stored;
                expectedSeq[0] = seq + 1;
            });
            var head = jdbc.sql("SELECT last_seq, last_hash FROM audit_chains WHERE chain_id = ?").param(c).query().singleRow();
            if (((Number) head.get("last_seq")).longValue() != expectedSeq[0] - 1
                    || !Arrays.equals((byte[]) head.get("last_hash"), expectedPrev[0])) {
                problems.add("chain " + c + ": head does not match the last event (events removed?)");
            }
        }
        return problems;
    }

    private static String canonicalJson(String json) {
        try {
            return JSONObjectUtils.toJSONString(sorted(JSONObjectUtils.parse(json)));
        } catch (java.text.ParseException e) {
            return json;
        }
    }

    /** Keys sorted at every level, so the hash does not depend on how PostgreSQL orders jsonb. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> sorted(Map<String, Object> map) {
        Map<String, Object> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> m ? sorted((Map<String, Object>) m) : v));
        return out;
    }

    private static byte[] hash(byte[] prev, int chain, long seq, Instant at, AuditEvent e, String details) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
        sha.update(prev);
        sha.update(ByteBuffer.allocate(12).putInt(chain).putLong(seq).array());
        field(sha, at.toString());
        for (String value : new String[] {e.type(), e.outcome(), e.reason(), e.actor(), e.agentId(), e.jti(), e.taskId(),
                e.parentJti(), e.audience(), e.scopes(), e.clientAddress(), details}) {
            field(sha, value);
        }
        return sha.digest();
    }

    /** Length-prefixed, with null distinct from empty, so no two events encode the same bytes. */
    private static void field(MessageDigest sha, String value) {
        if (value == null) {
            sha.update(ByteBuffer.allocate(4).putInt(-1).array());
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
    }

}
