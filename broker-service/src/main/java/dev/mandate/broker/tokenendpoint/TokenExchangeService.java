package dev.mandate.broker.tokenendpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.mandate.broker.audit.AuditEvent;
import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.discovery.IssuerUrl;
import dev.mandate.broker.keys.BrokerTokens;
import dev.mandate.broker.security.AuthenticatedAgent;
import dev.mandate.broker.security.WorkloadPresentation;
import dev.mandate.broker.tokens.IssuedTokenStore;
import dev.mandate.broker.tokens.StoredToken;
import dev.mandate.catalog.Agent;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.catalog.ScopeSet;
import dev.mandate.exchange.AccessTokenClaims;
import dev.mandate.exchange.Actor;
import dev.mandate.exchange.BudgetIntent;
import dev.mandate.exchange.ExchangeError;
import dev.mandate.exchange.ExchangeRefused;
import dev.mandate.exchange.ExchangeRequest;
import dev.mandate.exchange.Grant;
import dev.mandate.exchange.ParentToken;
import dev.mandate.exchange.TokenExchangePolicy;
import dev.mandate.exchange.workload.WorkloadIdentity;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out an RFC 8693 exchange: identifies the subject (a workload JWT for a root token, a token
 * of ours for a delegated one), asks {@link TokenExchangePolicy} for the grant, then in one
 * transaction moves budget, signs, re-verifies and records the token and its audit event. A token
 * leaves the broker only after that transaction committed.
 */
final class TokenExchangeService {

    static final String TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt";
    static final String TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";

    private final TokenExchangePolicy policy;
    private final WorkloadIdentityVerifier verifier;
    private final AgentDirectory agents;
    private final ScopeCatalog catalog;
    private final IssuedTokenStore store;
    private final BrokerTokens tokens;
    private final IssuerUrl issuer;
    private final AuditTrail audit;
    private final TransactionTemplate transactions;

    TokenExchangeService(TokenExchangePolicy policy, WorkloadIdentityVerifier verifier, AgentDirectory agents,
                         ScopeCatalog catalog, IssuedTokenStore store, BrokerTokens tokens, IssuerUrl issuer,
                         AuditTrail audit, TransactionTemplate transactions) {
        this.policy = policy;
        this.verifier = verifier;
        this.agents = agents;
        this.catalog = catalog;
        this.store = store;
        this.tokens = tokens;
        this.issuer = issuer;
        this.audit = audit;
        this.transactions = transactions;
    }

    IssuedTokenResponse exchange(AuthenticatedAgent client, TokenExchangeRequest request) {
        String subjectToken = request.first("subject_token");
        String subjectType = request.first("subject_token_type");
        if (subjectToken == null || subjectToken.isEmpty()) {
            throw invalid("subject_token_missing", "subject_token is required");
        }
        if (subjectType == null) {
            throw invalid("subject_token_type_missing", "subject_token_type is required");
        }
        String requestedType = request.first("requested_token_type");
        if (requestedType != null && !requestedType.equals(TOKEN_TYPE_ACCESS_TOKEN) && !requestedType.equals(TOKEN_TYPE_JWT)) {
            throw invalid("requested_token_type_unsupported", "only access tokens are issued");
        }
        ExchangeRequest exchange = ExchangeRequest.parse(request.form());
        Grant grant;
        if (TOKEN_TYPE_JWT.equals(subjectType)) {
            grant = root(client, subjectToken, request, exchange);
        } else if (TOKEN_TYPE_ACCESS_TOKEN.equals(subjectType)) {
            grant = delegated(client, subjectToken, request, exchange);
        } else {
            throw invalid("subject_token_type_unsupported", "subject_token_type must be jwt or access_token");
        }
        return record(grant, request.clientAddress());
    }

    private Grant root(AuthenticatedAgent client, String subjectToken, TokenExchangeRequest request, ExchangeRequest exchange) {
        if (request.first("actor_token") != null) {
            throw invalid("actor_token_on_root", "actor_token is for delegation (subject_token_type access_token)");
        }
        WorkloadIdentity identity = client.identity();
        if (client.via() == WorkloadPresentation.Via.CLIENT_ASSERTION) {
            WorkloadIdentity subject = verifier.verify(subjectToken);
            if (!subject.agent().id().equals(identity.agent().id())) {
                throw invalid("subject_agent_mismatch", "the subject_token and the client assertion name different agents");
            }
        }
        return policy.root(identity.agent(), exchange, catalog);
    }

    private Grant delegated(AuthenticatedAgent client, String subjectToken, TokenExchangeRequest request, ExchangeRequest exchange) {
        Agent child = client.identity().agent();
        String actorToken = request.first("actor_token");
        if (client.via() == WorkloadPresentation.Via.CLIENT_ASSERTION && actorToken != null
                && !verifier.verify(actorToken).agent().id().equals(child.id())) {
            throw invalid("actor_agent_mismatch", "the actor_token and the client assertion name different agents");
        }
        // The parent is found by the SHA-256 of the presented token: if it matches, the token is ours.
        StoredToken parent = store.findByHash(IssuedTokenStore.sha256(subjectToken))
                .orElseThrow(() -> invalid("subject_token_unknown", "the subject_token was not issued by this broker"));
        Agent holder = agents.byId(parent.agentId())
                .orElseThrow(() -> invalid("parent_holder_unknown", "the agent holding the subject_token no longer exists"));
        String rootAgentId = parent.depth() == 0 ? parent.agentId() : store.rootAgentId(parent.taskId()).orElse(parent.agentId());
        Agent rootAgent = agents.byId(rootAgentId)
                .orElseThrow(() -> invalid("root_agent_unknown", "the agent that started the task no longer exists"));
        return policy.delegate(toParent(parent, rootAgentId), holder, child, rootAgent, exchange, catalog);
    }

    private IssuedTokenResponse record(Grant grant, String clientAddress) {
        return transactions.execute(tx -> {
            if (grant.parentJti() != null && store.lockChainAndCheckRevoked(grant.parentJti())) {
                throw invalid("parent_revoked", "the subject_token or one of its ancestors is revoked");
            }
            Long account = null;
            Long limit = null;
            Long remaining = null;
            String unit = null;
            BudgetIntent budget = grant.budget();
            if (budget instanceof BudgetIntent.Open open) {
                account = store.openAccount(grant.taskId(), open.unit(), open.limit());
                limit = open.limit();
                remaining = open.limit();
                unit = open.unit();
            } else if (budget instanceof BudgetIntent.Carve carve) {
                account = store.carve(carve.fromAccount(), grant.taskId(), carve.amount())
                        .orElseThrow(() -> invalid("budget_exceeds_parent", "budget exceeds what remains of the parent's budget"));
                limit = carve.amount();
                remaining = carve.amount();
                unit = carve.unit();
            } else if (budget instanceof BudgetIntent.Share share) {
                account = share.account();
                limit = share.limit();
                remaining = share.remaining();
                unit = share.unit();
            }
            JWTClaimsSet claims = AccessTokenClaims.build(grant, issuer.get());
            BrokerTokens.Signed signed = tokens.sign(claims);
            // STYLE.md: every minted credential is parsed and verified again before it is returned.
            JWTClaimsSet reread = tokens.verify(signed.token(), issuer.get())
                    .orElseThrow(() -> new IllegalStateException("a freshly signed token does not verify"));
            if (!reread.toJSONObject().equals(claims.toJSONObject())) {
                throw new IllegalStateException("a freshly signed token does not carry the granted claims");
            }
            String actorJson = grant.actor() == null ? null : JSONObjectUtils.toJSONString(grant.actor().toClaim());
            store.insert(new IssuedTokenStore.NewToken(grant.jti(), IssuedTokenStore.sha256(signed.token()), grant.taskId(), grant.parentJti(),
                    grant.depth(), grant.subject(), grant.clientId(), actorJson, grant.audience(), grant.resourceServerId(),
                    List.copyOf(grant.scope().values()), grant.issuedAt(), grant.expiresAt(), account, signed.kid()));
            audit.append(AuditEvent.success("token.exchange").actor(grant.clientId()).agent(grant.clientId())
                    .jti(grant.jti()).task(grant.taskId()).parentJti(grant.parentJti()).audience(grant.audience())
                    .scopes(grant.scope().toString()).clientAddress(clientAddress)
                    .details(details(grant, limit)).build());
            return new IssuedTokenResponse(signed.token(), grant.expiresInSeconds(), grant.scope().toString(),
                    grant.taskId(), grant.jti(), limit, remaining, unit);
        });
    }

    private static Map<String, Object> details(Grant grant, Long budget) {
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("depth", grant.depth());
        details.put("expires_in", grant.expiresInSeconds());
        if (grant.clamped()) {
            details.put("clamped", true);
        }
        if (budget != null) {
            details.put("budget", budget);
        }
        if (grant.task() != null) {
            details.put("task", grant.task());
        }
        return details;
    }

    private static ParentToken toParent(StoredToken token, String rootAgentId) {
        Actor actor;
        try {
            actor = token.actorChainJson() == null ? null : Actor.fromClaim(JSONObjectUtils.parse(token.actorChainJson()));
        } catch (ParseException | IllegalArgumentException e) {
            throw new IllegalStateException("stored actor chain of " + token.jti() + " is malformed");
        }
        ParentToken.Budget budget = token.budgetAccountId() == null ? null
                : new ParentToken.Budget(token.budgetAccountId(), token.budgetLimit(), token.budgetRemaining(), token.budgetUnit());
        return new ParentToken(token.jti(), token.taskId(), token.subject(), rootAgentId, token.agentId(), actor,
                token.audience(), token.resourceServerId(), ScopeSet.of(token.scopes()), token.expiresAt(),
                token.chainRevoked(), token.depth(), budget);
    }


    private static ExchangeRefused invalid(String reason, String description) {
        return new ExchangeRefused(ExchangeError.INVALID_REQUEST, reason, description);
    }
}
