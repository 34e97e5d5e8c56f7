package dev.mandate.broker.support;

import java.security.SecureRandom;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Writes catalog rows (issuers, resource servers, scopes, agents) straight into PostgreSQL, for
 * tests of the token endpoints that should not depend on the admin API. Names get a per-test
 * prefix so tests sharing one database never collide.
 */
public final class Catalog {

    private final JdbcClient jdbc;
    private final String prefix;

    public Catalog(JdbcClient jdbc, String prefix) {
        this.jdbc = jdbc;
        this.prefix = prefix;
    }

    public String id(String name) {
        return prefix + "-" + name;
    }

    public String issuer(String name, TestWorkloadIssuer issuer, String audience) {
        jdbc.sql("INSERT INTO trusted_issuers (id, issuer, jwks_uri, audience) VALUES (?, ?, ?, ?)")
                .params(id(name), issuer.issuer(), issuer.jwksUri(), audience).update();
        return id(name);
    }

    public String issuerInline(String name, TestWorkloadIssuer issuer, String audience, String... algorithms) {
        jdbc.sql("INSERT INTO trusted_issuers (id, issuer, jwks, audience, algorithms) VALUES (?, ?, ?, ?, ?)")
                .params(id(name), issuer.issuer(), issuer.publicJwks(), audience,
                        algorithms.length == 0 ? new String[] {"ES256", "RS256"} : algorithms).update();
        return id(name);
    }

    /** A resource server whose secret is {@code secret}, stored as the broker stores it. */
    public String resourceServer(String name, String audience, String unit, byte[] secretHmac) {
        jdbc.sql("INSERT INTO resource_servers (id, audience, budget_unit, secret_hmac) VALUES (?, ?, ?, ?)")
                .params(id(name), audience, unit, secretHmac).update();
        return id(name);
    }

    /** A resource server with a random secret hash (these tests never authenticate as it). */
    public String resourceServer(String name, String audience, String unit) {
        byte[] hmac = new byte[32];
        new SecureRandom().nextBytes(hmac);
        jdbc.sql("INSERT INTO resource_servers (id, audience, budget_unit, secret_hmac) VALUES (?, ?, ?, ?)")
                .params(id(name), audience, unit, hmac).update();
        return id(name);
    }

    public String scope(String name, String resourceServerId, int defaultTtl, int maxTtl, Long maxBudget, boolean delegable) {
        String scope = prefix + ":" + name;
        jdbc.sql("""
                INSERT INTO scopes (name, resource_server_id, default_ttl_seconds, max_ttl_seconds, max_budget, delegable)
                VALUES (?, ?, ?, ?, ?, ?)""")
                .params(scope, resourceServerId, defaultTtl, maxTtl, maxBudget, delegable).update();
        return scope;
    }

    public String agent(String name, String issuerId, String subject, List<String> allowedScopes, List<String> delegates,
                        int maxDepth, boolean enabled) {
        jdbc.sql("INSERT INTO agents (id, issuer_id, subject, max_delegation_depth, enabled) VALUES (?, ?, ?, ?, ?)")
                .params(id(name), issuerId, subject, maxDepth, enabled).update();
        for (String scope : allowedScopes) {
            jdbc.sql("INSERT INTO agent_allowed_scopes (agent_id, scope_name) VALUES (?, ?)").params(id(name), scope).update();
        }
        for (String delegate : delegates) {
            jdbc.sql("INSERT INTO agent_delegates (agent_id, delegate_id) VALUES (?, ?)").params(id(name), delegate).update();
        }
        return id(name);
    }
}
