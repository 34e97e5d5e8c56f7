package dev.mandate.broker.catalog;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.mandate.catalog.ResourceServer;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.catalog.ScopeDefinition;
import dev.mandate.catalog.ScopeName;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Resource servers and scopes from PostgreSQL. */
public final class JdbcScopeCatalog implements ScopeCatalog {

    private final JdbcClient jdbc;

    public JdbcScopeCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<ResourceServer> resourceServerByAudience(String audience) {
        if (audience == null || audience.length() > 512) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT id, audience, budget_unit FROM resource_servers WHERE audience = ?").param(audience)
                .query((rs, n) -> new ResourceServer(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
    }

    @Override
    public Optional<ResourceServer> resourceServerById(String id) {
        return jdbc.sql("SELECT id, audience, budget_unit FROM resource_servers WHERE id = ?").param(id)
                .query((rs, n) -> new ResourceServer(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
    }

    @Override
    public Map<ScopeName, ScopeDefinition> definitions(Collection<ScopeName> names) {
        Map<ScopeName, ScopeDefinition> result = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return result;
        }
        String[] values = names.stream().map(ScopeName::value).toArray(String[]::new);
        jdbc.sql("""
                SELECT name, resource_server_id, default_ttl_seconds, max_ttl_seconds, max_budget, delegable
                FROM scopes WHERE name = ANY(?)""").param(values)
                .query((rs, n) -> {
                    long maxBudget = rs.getLong("max_budget");
                    Long cap = rs.wasNull() ? null : maxBudget;
                    return new ScopeDefinition(new ScopeName(rs.getString("name")), rs.getString("resource_server_id"),
                            Duration.ofSeconds(rs.getInt("default_ttl_seconds")), Duration.ofSeconds(rs.getInt("max_ttl_seconds")),
                            cap, rs.getBoolean("delegable"));
                }).list().forEach(d -> result.put(d.name(), d));
        return result;
    }
}
