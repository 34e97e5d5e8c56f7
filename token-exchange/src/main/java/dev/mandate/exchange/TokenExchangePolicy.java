package dev.mandate.exchange;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.mandate.catalog.Agent;
import dev.mandate.catalog.ResourceServer;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.catalog.ScopeDefinition;
import dev.mandate.catalog.ScopeName;
import dev.mandate.catalog.ScopeSet;

/**
 * The exchange rules of SPEC §4.1 (root) and §4.2 (delegated), as named rules that refuse with a
 * reason code. Pure: it reads the catalog and the clock and returns a {@link Grant}; the caller
 * signs and records it.
 */
public final class TokenExchangePolicy {

    private final Clock clock;
    private final Duration brokerMaxTtl;

    /** @param brokerMaxTtl the broker-wide cap on any token's lifetime */
    public TokenExchangePolicy(Clock clock, Duration brokerMaxTtl) {
        this.clock = Objects.requireNonNull(clock);
        this.brokerMaxTtl = Objects.requireNonNull(brokerMaxTtl);
    }

    /** SPEC §4.1: a root task token for {@code agent}. */
    public Grant root(Agent agent, ExchangeRequest request, ScopeCatalog catalog) {
        agentEnabled(agent);
        ResourceServer server = audienceNamesOneResourceServer(request, catalog);
        if (request.scope() == null || request.scope().isEmpty()) {
            throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_missing", "a root token request must name its scopes");
        }
        Map<ScopeName, ScopeDefinition> definitions = scopesExistAtServer(request.scope(), server, catalog);
        scopesAllowedToAgent(request.scope(), agent);
        Instant now = now();
        Duration ttl = request.ttlSeconds() == null ? smallestDefault(definitions.values()) : Duration.ofSeconds(request.ttlSeconds());
        Duration capped = min(ttl, smallestMax(definitions.values()), agent.maxTtl(), brokerMaxTtl);
        BudgetIntent budget = rootBudget(request.budget(), definitions.values(), server);
        String taskId = Ids.taskId();
        return new Grant(Ids.jti(), taskId, agent.subject(), agent.id(), null, server.audience(), server.id(),
                request.scope(), now, now.plus(capped), budget, null, 0, request.task(), capped.compareTo(ttl) < 0);
    }

    /**
     * SPEC §4.2: a narrower token for {@code child}, delegated from {@code parent}, which
     * {@code holder} holds; {@code rootAgent} started the task.
     */
    public Grant delegate(ParentToken parent, Agent holder, Agent child, Agent rootAgent, ExchangeRequest request,
                          ScopeCatalog catalog) {
        agentEnabled(child);
        Instant now = now();
        parentActive(parent, now);
        actorMayDelegate(holder, child);
        noCycle(parent, holder, child, rootAgent);
        int depth = parent.depth() + 1;
        depthAtMost(depth, rootAgent.maxDelegationDepth());
        audienceUnchanged(request, parent);
        ResourceServer server = catalog.resourceServerById(parent.resourceServerId())
                .orElseThrow(() -> new ExchangeRefused(ExchangeError.INVALID_TARGET, "audience_unknown",
                        "the parent's resource server no longer exists"));
        ScopeSet scope = delegatedScope(request, parent, child, catalog);
        Map<ScopeName, ScopeDefinition> definitions = catalog.definitions(scope.names());
        Duration requested = request.ttlSeconds() == null ? smallestDefault(definitions.values())
                : Duration.ofSeconds(request.ttlSeconds());
        Duration capped = min(requested, smallestMax(definitions.values()), child.maxTtl(), brokerMaxTtl);
        Instant exp = now.plus(capped);
        boolean clamped = capped.compareTo(requested) < 0;
        if (exp.isAfter(parent.expiresAt())) {   // never outlive the parent (invariant 4)
            exp = parent.expiresAt();
            clamped = true;
        }
        if (!exp.isAfter(now)) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "parent_expired", "the subject_token has expired");
        }
        BudgetIntent budget = delegatedBudget(request.budget(), parent, definitions.values());
        Actor actor = new Actor(child.issuer(), child.subject(), parent.actor());
        return new Grant(Ids.jti(), parent.taskId(), parent.subject(), child.id(), actor, parent.audience(), server.id(),
                scope, now, exp, budget, parent.jti(), depth, request.task(), clamped);
    }

    // --- named rules -------------------------------------------------------------------------

    static void agentEnabled(Agent agent) {
        if (!agent.enabled()) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "agent_disabled", "the agent is disabled");
        }
    }

    static ResourceServer audienceNamesOneResourceServer(ExchangeRequest request, ScopeCatalog catalog) {
        if (request.audiences().size() != 1) {
            throw new ExchangeRefused(ExchangeError.INVALID_TARGET, "audience_count",
                    "name exactly one resource server with audience or resource");
        }
        return catalog.resourceServerByAudience(request.audiences().get(0))
                .orElseThrow(() -> new ExchangeRefused(ExchangeError.INVALID_TARGET, "audience_unknown",
                        "the audience is not a registered resource server"));
    }

    static Map<ScopeName, ScopeDefinition> scopesExistAtServer(ScopeSet scope, ResourceServer server, ScopeCatalog catalog) {
        Map<ScopeName, ScopeDefinition> definitions = catalog.definitions(scope.names());
        for (ScopeName name : scope.names()) {
            ScopeDefinition definition = definitions.get(name);
            if (definition == null) {
                throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_unknown", "scope '" + name + "' does not exist");
            }
            if (!definition.resourceServerId().equals(server.id())) {
                throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_wrong_audience",
                        "scope '" + name + "' belongs to another resource server");
            }
        }
        return definitions;
    }

    static void scopesAllowedToAgent(ScopeSet scope, Agent agent) {
        var missing = scope.missingFrom(agent.allowedScopes());
        if (!missing.isEmpty()) {
            throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_not_allowed",
                    "the agent is not allowed scope '" + missing.iterator().next() + "'");
        }
    }

    static void parentActive(ParentToken parent, Instant now) {
        if (parent.chainRevoked()) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "parent_revoked",
                    "the subject_token or one of its ancestors is revoked");
        }
        if (!now.isBefore(parent.expiresAt())) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "parent_expired", "the subject_token has expired");
        }
    }

    static void actorMayDelegate(Agent holder, Agent child) {
        if (!holder.mayDelegateTo(child.id())) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "actor_not_delegate",
                    "the holder of the subject_token may not delegate to this agent");
        }
    }

    static void noCycle(ParentToken parent, Agent holder, Agent child, Agent rootAgent) {
        boolean isRoot = child.id().equals(rootAgent.id())
                || (child.issuer().equals(rootAgent.issuer()) && child.subject().equals(parent.subject()));
        boolean inChain = parent.actor() != null && parent.actor().contains(child.issuer(), child.subject());
        if (isRoot || inChain || child.id().equals(holder.id())) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "cycle", "the agent is already in the delegation chain");
        }
    }

    static void depthAtMost(int depth, int max) {
        if (depth > max) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "depth_exceeded",
                    "delegation depth " + depth + " exceeds the root agent's limit of " + max);
        }
    }

    static void audienceUnchanged(ExchangeRequest request, ParentToken parent) {
        for (String audience : request.audiences()) {
            if (!audience.equals(parent.audience())) {
                throw new ExchangeRefused(ExchangeError.INVALID_TARGET, "audience_differs",
                        "a delegated token keeps its parent's audience");
            }
        }
    }

    static ScopeSet delegatedScope(ExchangeRequest request, ParentToken parent, Agent child, ScopeCatalog catalog) {
        ScopeSet requested = request.scope();
        if (requested == null || requested.isEmpty()) {
            // Default: as much of the parent's scope as the child may hold and may be delegated.
            ScopeSet candidate = parent.scope().intersect(child.allowedScopes());
            Map<ScopeName, ScopeDefinition> definitions = catalog.definitions(candidate.names());
            var delegable = candidate.names().stream()
                    .filter(n -> definitions.containsKey(n) && definitions.get(n).delegable())
                    .map(ScopeName::value).toList();
            if (delegable.isEmpty()) {
                throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_empty",
                        "none of the parent's scopes may be delegated to this agent");
            }
            return ScopeSet.of(delegable);
        }
        var beyondParent = requested.missingFrom(parent.scope());
        if (!beyondParent.isEmpty()) {
            throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_exceeds_parent",
                    "scope '" + beyondParent.iterator().next() + "' is not in the parent's scope");
        }
        scopesAllowedToAgent(requested, child);
        Map<ScopeName, ScopeDefinition> definitions = catalog.definitions(requested.names());
        for (ScopeName name : requested.names()) {
            ScopeDefinition definition = definitions.get(name);
            if (definition == null || !definition.delegable()) {
                throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_not_delegable",
                        "scope '" + name + "' may not be delegated");
            }
        }
        return requested;
    }

    /**
     * A root budget must respect every scope's max_budget. When none is requested but a scope
     * caps it, the token gets the smallest cap: a capped scope never yields an unlimited token.
     */
    static BudgetIntent rootBudget(Long requested, Collection<ScopeDefinition> definitions, ResourceServer server) {
        Optional<Long> cap = definitions.stream().map(ScopeDefinition::maxBudget).filter(Objects::nonNull).min(Long::compare);
        if (requested == null) {
            return cap.<BudgetIntent>map(c -> new BudgetIntent.Open(c, server.budgetUnit())).orElse(BudgetIntent.NONE);
        }
        if (cap.isPresent() && requested > cap.get()) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "budget_exceeds_scope_max",
                    "budget exceeds the scopes' max_budget of " + cap.get());
        }
        return new BudgetIntent.Open(requested, server.budgetUnit());
    }

    static BudgetIntent delegatedBudget(Long requested, ParentToken parent, Collection<ScopeDefinition> definitions) {
        ParentToken.Budget budget = parent.budget();
        if (requested == null) {
            return budget == null ? BudgetIntent.NONE
                    : new BudgetIntent.Share(budget.accountId(), budget.limit(), budget.remaining(), budget.unit());
        }
        if (budget == null) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "parent_has_no_budget",
                    "a budget can only be carved out of a parent that has one");
        }
        if (requested > budget.remaining()) {
            throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "budget_exceeds_parent",
                    "budget exceeds what remains of the parent's budget");
        }
        definitions.stream().map(ScopeDefinition::maxBudget).filter(Objects::nonNull).min(Long::compare)
                .filter(cap -> requested > cap).ifPresent(cap -> {
                    throw new ExchangeRefused(ExchangeError.INVALID_REQUEST, "budget_exceeds_scope_max",
                            "budget exceeds the scopes' max_budget of " + cap);
                });
        return new BudgetIntent.Carve(budget.accountId(), requested, budget.unit());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Duration smallestDefault(Collection<ScopeDefinition> definitions) {
        return definitions.stream().map(ScopeDefinition::defaultTtl).min(Duration::compareTo).orElse(Duration.ofMinutes(5));
    }

    private static Duration smallestMax(Collection<ScopeDefinition> definitions) {
        return definitions.stream().map(ScopeDefinition::maxTtl).min(Duration::compareTo).orElse(Duration.ofMinutes(15));
    }

    private static Duration min(Duration first, Duration... others) {
        Duration result = first;
        for (Duration other : others) {
            if (other != null && other.compareTo(result) < 0) {
                result = other;
            }
        }
        return result;
    }
}
