package dev.mandate.broker.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;

import dev.mandate.catalog.Agent;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.catalog.ScopeSet;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Agents from PostgreSQL, with their allowed scopes and delegates, in one query. */
public final class JdbcAgentDirectory implements AgentDirectory {

    private static final String SELECT = """
            SELECT a.id, a.issuer_id, i.issuer, a.subject, a.max_delegation_depth, a.max_ttl_seconds, a.enabled,
                   ARRAY(SELECT s.scope_name::text FROM agent_allowed_scopes s WHERE s.agent_id = a.id ORDER BY 1) AS scopes,
                   ARRAY(SELECT d.delegate_id::text FROM agent_delegates d WHERE d.agent_id = a.id ORDER BY 1) AS delegates
            FROM agents a JOIN trusted_issuers i ON i.id = a.issuer_id
            """;

    private final JdbcClient jdbc;

    public JdbcAgentDirectory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Agent> byId(String id) {
        if (id == null || id.length() > 64) {
            return Optional.empty();
        }
        return jdbc.sql(SELECT + "WHERE a.id = ?").param(id).query(JdbcAgentDirectory::map).optional();
    }

    @Override
    public Optional<Agent> byIssuerAndSubject(String issuer, String subject) {
        if (issuer == null || subject == null || issuer.length() > 512 || subject.length() > 512) {
            return Optional.empty();
        }
        return jdbc.sql(SELECT + "WHERE i.issuer = ? AND a.subject = ?").params(issuer, subject)
                .query(JdbcAgentDirectory::map).optional();
    }

    private static Agent map(ResultSet rs, int row) throws SQLException {
        String[] scopes = (String[]) rs.getArray("scopes").getArray();
        String[] delegates = (String[]) rs.getArray("delegates").getArray();
        int maxTtl = rs.getInt("max_ttl_seconds");
        Duration cap = rs.wasNull() ? null : Duration.ofSeconds(maxTtl);
        return new Agent(rs.getString("id"), rs.getString("issuer_id"), rs.getString("issuer"), rs.getString("subject"),
                ScopeSet.parse(String.join(" ", scopes)), new LinkedHashSet<>(Arrays.asList(delegates)),
                rs.getInt("max_delegation_depth"), cap, rs.getBoolean("enabled"));
    }
}
