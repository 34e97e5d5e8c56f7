package dev.mandate.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.mandate.catalog.Agent;
import dev.mandate.catalog.ResourceServer;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.catalog.ScopeDefinition;
import dev.mandate.catalog.ScopeName;
import dev.mandate.catalog.ScopeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** SPEC §4.1 and §4.2 as pure rules: real records, an in-memory catalog and a fixed clock. */
class TokenExchangePolicyTest {

    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    final TokenExchangePolicy policy = new TokenExchangePolicy(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));

    static final ResourceServer ORDERS = new ResourceServer("orders", "https://orders.example.com", "calls");
    static final ResourceServer BILLING = new ResourceServer("billing", "https://billing.example.com", "usd_micros");

    final ScopeCatalog catalog = new ScopeCatalog() {
        final Map<ScopeName, ScopeDefinition> scopes = new LinkedHashMap<>();
        {
            add("orders:read", "orders", 300, 900, null, true);
            add("orders:write", "orders", 120, 600, null, true);
            add("orders:spend", "orders", 300, 900, 100L, true);
            add("orders:admin", "orders", 300, 900, null, false);
            add("billing:charge", "billing", 300, 900, null, true);
        }

        void add(String name, String rs, int def, int max, Long budget, boolean delegable) {
            scopes.put(new ScopeName(name), new ScopeDefinition(new ScopeName(name), rs, Duration.ofSeconds(def),
                    Duration.ofSeconds(max), budget, delegable));
        }

        @Override
        public Optional<ResourceServer> resourceServerByAudience(String audience) {
            return List.of(ORDERS, BILLING).stream().filter(r -> r.audience().equals(audience)).findFirst();
        }

        @Override
        public Optional<ResourceServer> resourceServerById(String id) {
            return List.of(ORDERS, BILLING).stream().filter(r -> r.id().equals(id)).findFirst();
        }

        @Override
        public Map<ScopeName, ScopeDefinition> definitions(Collection<ScopeName> names) {
            Map<ScopeName, ScopeDefinition> found = new LinkedHashMap<>();
            names.forEach(n -> Optional.ofNullable(scopes.get(n)).ifPresent(d -> found.put(n, d)));
            return found;
        }
    };

    static Agent agent(String id, String scopes, Set<String> delegates, int depth) {
        return new Agent(id, "spire", "https://spire", "spiffe://x/" + id, ScopeSet.parse(scopes), delegates, depth, null, true);
    }

    final Agent planner = agent("planner", "orders:read orders:write orders:spend orders:admin billing:charge", Set.of("coder"), 3);
    final Agent coder = agent("coder", "orders:read orders:spend orders:admin", Set.of("researcher", "planner"), 3);
    final Agent researcher = agent("researcher", "orders:read", Set.of("planner"), 3);

    static ExchangeRequest request(String audience, String scope, Long ttl, Long budget) {
        return new ExchangeRequest(audience == null ? List.of() : List.of(audience), scope == null ? null : ScopeSet.parse(scope), ttl, budget, null);
    }

    static void refused(Runnable call, ExchangeError error, String reason) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ExchangeRefused.class, r -> {
            assertThat(r.error()).isEqualTo(error);
            assertThat(r.reasonCode()).isEqualTo(reason);
        });
    }

    ParentToken parentOf(Grant grant, Long remaining) {
        ParentToken.Budget budget = remaining == null ? null : new ParentToken.Budget(7L, 100, remaining, "calls");
        return new ParentToken(grant.jti(), grant.taskId(), grant.subject(), "planner", grant.clientId(), grant.actor(),
                grant.audience(), grant.resourceServerId(), grant.scope(), grant.expiresAt(), false, grant.depth(), budget);
    }

    @Nested
    @DisplayName("§4.1 root")
    class Root {

        @Test
        @DisplayName("TTL = min(requested or the smallest default, smallest max_ttl, caps)")
        void ttl() {
            assertThat(policy.root(planner, request(ORDERS.audience(), "orders:read orders:write", null, null), catalog)
                    .expiresInSeconds()).isEqualTo(120);
            Grant capped = policy.root(planner, request(ORDERS.audience(), "orders:read", 5000L, null), catalog);
            assertThat(capped.expiresInSeconds()).isEqualTo(900);
            assertThat(capped.clamped()).isTrue();
        }

        @Test
        @DisplayName("exactly one registered audience, else invalid_target")
        void audience() {
            refused(() -> policy.root(planner, request("https://nope", "orders:read", null, null), catalog), ExchangeError.INVALID_TARGET, "audience_unknown");
            refused(() -> policy.root(planner, new ExchangeRequest(List.of(ORDERS.audience(), BILLING.audience()),
                    ScopeSet.parse("orders:read"), null, null, null), catalog), ExchangeError.INVALID_TARGET, "audience_count");
        }

        @Test
        @DisplayName("scopes exist, belong to the audience and are allowed to the agent, else invalid_scope")
        void scopes() {
            refused(() -> policy.root(planner, request(ORDERS.audience(), "orders:nope", null, null), catalog), ExchangeError.INVALID_SCOPE, "scope_unknown");
            refused(() -> policy.root(planner, request(ORDERS.audience(), "billing:charge", null, null), catalog), ExchangeError.INVALID_SCOPE, "scope_wrong_audience");
            refused(() -> policy.root(researcher, request(ORDERS.audience(), "orders:write", null, null), catalog), ExchangeError.INVALID_SCOPE, "scope_not_allowed");
            refused(() -> policy.root(planner, request(ORDERS.audience(), null, null, null), catalog), ExchangeError.INVALID_SCOPE, "scope_missing");
        }

        @Test
        @DisplayName("budget ≤ every scope's max_budget; a capped scope without a requested budget gets the cap")
        void budget() {
            refused(() -> policy.root(planner, request(ORDERS.audience(), "orders:spend", null, 101L), catalog),
                    ExchangeError.INVALID_REQUEST, "budget_exceeds_scope_max");
            assertThat(policy.root(planner, request(ORDERS.audience(), "orders:spend", null, null), catalog).budget())
                    .isEqualTo(new BudgetIntent.Open(100, "calls"));
            assertThat(policy.root(planner, request(ORDERS.audience(), "orders:read", null, null), catalog).budget()).isEqualTo(BudgetIntent.NONE);
        }
    }

    @Nested
    @DisplayName("§4.2 delegated")
    class Delegated {

        Grant root = policy.root(planner, request(ORDERS.audience(), "orders:read orders:spend orders:admin", 600L, 50L), catalog);

        @Test
        @DisplayName("the child's act nests the chain; sub and task_id never change; depth grows by one")
        void chain() {
            Grant child = policy.delegate(parentOf(root, 50L), planner, coder, planner, request(null, "orders:read", null, null), catalog);
            Grant grandchild = policy.delegate(parentOf(child, 50L), coder, researcher, planner, request(null, null, null, null), catalog);
            assertThat(grandchild.subject()).isEqualTo(root.subject());
            assertThat(grandchild.taskId()).isEqualTo(root.taskId());
            assertThat(grandchild.depth()).isEqualTo(2);
            assertThat(grandchild.actor().toClaim()).isEqualTo(Map.of("sub", "spiffe://x/researcher", "iss", "https://spire",
                    "act", Map.of("sub", "spiffe://x/coder", "iss", "https://spire")));
            assertThat(grandchild.budget()).isEqualTo(new BudgetIntent.Share(7L, 100, 50, "calls"));
        }

        @Test
        @DisplayName("named refusals: actor_not_delegate, cycle, depth_exceeded, scope_exceeds_parent, scope_not_delegable, audience_differs")
        void refusals() {
            ParentToken parent = parentOf(root, 50L);
            refused(() -> policy.delegate(parent, planner, researcher, planner, request(null, null, null, null), catalog),
                    ExchangeError.INVALID_REQUEST, "actor_not_delegate");
            Grant child = policy.delegate(parent, planner, coder, planner, request(null, "orders:read", null, null), catalog);
            refused(() -> policy.delegate(parentOf(child, 50L), coder, planner, planner, request(null, null, null, null), catalog),
                    ExchangeError.INVALID_REQUEST, "cycle");
            Agent shallow = agent("planner", "orders:read", Set.of("coder"), 0);
            refused(() -> policy.delegate(parent, planner, coder, shallow, request(null, null, null, null), catalog),
                    ExchangeError.INVALID_REQUEST, "depth_exceeded");
            refused(() -> policy.delegate(parent, planner, coder, planner, request(null, "orders:write", null, null), catalog),
                    ExchangeError.INVALID_SCOPE, "scope_exceeds_parent");
            refused(() -> policy.delegate(parent, planner, coder, planner, request(null, "orders:admin", null, null), catalog),
                    ExchangeError.INVALID_SCOPE, "scope_not_delegable");
            refused(() -> policy.delegate(parent, planner, coder, planner, request(BILLING.audience(), null, null, null), catalog),
                    ExchangeError.INVALID_TARGET, "audience_differs");
        }

        @Test
        @DisplayName("exp ≤ the parent's exp; budgets carve within what remains")
        void lifetimeAndBudget() {
            ParentToken parent = parentOf(root, 30L);
            Grant child = policy.delegate(parent, planner, coder, planner, request(null, "orders:read", 900L, 30L), catalog);
            assertThat(child.expiresAt()).isEqualTo(root.expiresAt());
            assertThat(child.clamped()).isTrue();
            assertThat(child.budget()).isEqualTo(new BudgetIntent.Carve(7L, 30, "calls"));
            refused(() -> policy.delegate(parent, planner, coder, planner, request(null, "orders:read", null, 31L), catalog),
                    ExchangeError.INVALID_REQUEST, "budget_exceeds_parent");
        }

        @Test
        @DisplayName("a revoked or expired parent is refused")
        void parentState() {
            ParentToken revoked = new ParentToken(root.jti(), root.taskId(), root.subject(), "planner", "planner", null, root.audience(),
                    root.resourceServerId(), root.scope(), root.expiresAt(), true, 0, null);
            refused(() -> policy.delegate(revoked, planner, coder, planner, request(null, null, null, null), catalog),
                    ExchangeError.INVALID_REQUEST, "parent_revoked");
            ParentToken expired = new ParentToken(root.jti(), root.taskId(), root.subject(), "planner", "planner", null, root.audience(),
                    root.resourceServerId(), root.scope(), NOW, false, 0, null);
            refused(() -> policy.delegate(expired, planner, coder, planner, request(null, null, null, null), catalog),
                    ExchangeError.INVALID_REQUEST, "parent_expired");
        }
    }

    @Nested
    @DisplayName("§4 extension parameters")
    class Parameters {

        @Test
        @DisplayName("ttl and budget are positive decimal integers within bounds; task ≤ 200 printable characters")
        void parse() {
            assertThat(ExchangeRequest.parse(Map.of("ttl", List.of("60"), "budget", List.of("5"))).ttlSeconds()).isEqualTo(60L);
            for (String bad : List.of("0", "-1", "+5", "1e3", "", " 5", "99999999999999999999")) {
                refused(() -> ExchangeRequest.parse(Map.of("ttl", List.of(bad))), ExchangeError.INVALID_REQUEST, "ttl_invalid");
            }
            refused(() -> ExchangeRequest.parse(Map.of("task", List.of("x".repeat(201)))), ExchangeError.INVALID_REQUEST, "task_invalid");
            refused(() -> ExchangeRequest.parse(Map.of("task", List.of("a\nb"))), ExchangeError.INVALID_REQUEST, "task_invalid");
        }
    }
}
