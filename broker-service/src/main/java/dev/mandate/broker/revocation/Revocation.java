package dev.mandate.broker.revocation;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.mandate.broker.audit.AuditEvent;
import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.oauth.EndpointMetrics;
import dev.mandate.broker.oauth.OAuthFailureHandler;
import dev.mandate.broker.oauth.OAuthRefusal;
import dev.mandate.broker.security.AuthenticatedAgent;
import dev.mandate.broker.tokens.IssuedTokenStore;
import dev.mandate.broker.tokens.StoredToken;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenRevocationEndpointConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * RFC 7009 revocation by agents (SPEC §5): the token's own agent or any agent earlier in its chain
 * may revoke it, and revocation cascades to every descendant. Unknown and foreign tokens get 200
 * and change nothing (RFC 7009 §2.2).
 */
public final class Revocation implements Customizer<OAuth2TokenRevocationEndpointConfigurer> {

    private final IssuedTokenStore store;
    private final AuditTrail audit;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final EndpointMetrics metrics;
    private final OAuthFailureHandler failureHandler;

    public Revocation(IssuedTokenStore store, AuditTrail audit, TransactionTemplate transactions, Clock clock,
                      EndpointMetrics metrics, OAuthFailureHandler failureHandler) {
        this.store = store;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.metrics = metrics;
        this.failureHandler = failureHandler;
    }

    @Override
    public void customize(OAuth2TokenRevocationEndpointConfigurer endpoint) {
        endpoint.revocationRequestConverters(converters -> {
                    converters.clear();
                    converters.add(request -> {
                        String token = request.getParameter("token");
                        if (token == null || token.isEmpty()) {
                            throw OAuthRefusal.of("invalid_request", "token_missing", "the token parameter is required");
                        }
                        return new Request(token, SecurityContextHolder.getContext().getAuthentication(), request.getRemoteAddr());
                    });
                })
                .authenticationProviders(providers -> {
                    providers.clear();
                    providers.add(new Provider());
                })
                .revocationResponseHandler((request, response, authentication) -> {
                    response.setStatus(200);
                    response.setHeader("Cache-Control", "no-store");
                    metrics.succeeded(request);
                })
                .errorResponseHandler(failureHandler);
    }

    /** Revokes {@code jti} and its subtree on behalf of {@code actor}; returns the revoked jtis. */
    public List<String> revokeTree(String jti, String reason, String actor, String agentId, String clientAddress) {
        return transactions.execute(tx -> {
            List<String> revoked = store.revokeCascade(jti, reason, clock.instant());
            StoredToken token = store.findByJti(jti).orElse(null);
            audit.append(AuditEvent.success("token.revoke").actor(actor).agent(agentId).jti(jti)
                    .task(token == null ? null : token.taskId()).clientAddress(clientAddress)
                    .details(Map.of("revoked", revoked.size(), "reason", reason)).build());
            return revoked;
        });
    }

    private static final class Request extends AbstractAuthenticationToken {
        private final String token;
        private final Authentication client;
        private final String clientAddress;

        Request(String token, Authentication client, String clientAddress) {
            super(List.of());
            this.token = token;
            this.client = client;
            this.clientAddress = clientAddress;
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return client;
        }

        @Override
        public String toString() {
            return "RevocationRequest";
        }
    }

    private final class Provider implements AuthenticationProvider {

        @Override
        public Authentication authenticate(Authentication authentication) {
            Request request = (Request) authentication;
            if (!(request.client instanceof AuthenticatedAgent agent)) {
                throw OAuthRefusal.of("invalid_client", "client_not_agent", "revocation is for agents (client assertion)");
            }
            try {
                StoredToken token = request.token.length() > 16 * 1024 ? null : store.findByToken(request.token).orElse(null);
                if (token != null && store.chainAgentIds(token.jti()).contains(agent.agentId())) {
                    revokeTree(token.jti(), "revoked_by_agent", agent.agentId(), agent.agentId(), request.clientAddress);
                } else {
                    // Unknown or foreign: 200 and nothing changes; the attempt is still on record.
                    audit.append(AuditEvent.refused("token.revoke", token == null ? "token_unknown" : "token_foreign")
                            .actor(agent.agentId()).agent(agent.agentId()).clientAddress(request.clientAddress).build());
                }
            } catch (DataAccessException | TransactionException e) {
                throw new OAuthRefusal("temporarily_unavailable", "database_unavailable",
                        "the broker's database is unavailable; retry later", agent.agentId());
            }
            request.setAuthenticated(true);
            return request;
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return Request.class.isAssignableFrom(authentication);
        }
    }
}
