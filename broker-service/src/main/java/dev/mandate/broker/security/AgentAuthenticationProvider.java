package dev.mandate.broker.security;

import dev.mandate.broker.oauth.OAuthRefusal;
import dev.mandate.exchange.ExchangeError;
import dev.mandate.exchange.ExchangeRefused;
import dev.mandate.exchange.workload.WorkloadIdentity;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;

/**
 * Authenticates an agent by its workload JWT (SPEC §2). A bad client assertion is
 * {@code invalid_client}; a bad subject or actor token used as identity is {@code invalid_request}
 * (RFC 8693 §2.2.2).
 */
final class AgentAuthenticationProvider implements AuthenticationProvider {

    private final WorkloadIdentityVerifier verifier;

    AgentAuthenticationProvider(WorkloadIdentityVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        WorkloadPresentation presented = (WorkloadPresentation) authentication;
        WorkloadIdentity identity;
        try {
            identity = verifier.verify(presented.jwt());
        } catch (ExchangeRefused refused) {
            ExchangeRefused mapped = presented.via() == WorkloadPresentation.Via.CLIENT_ASSERTION
                    && refused.error() == ExchangeError.INVALID_REQUEST ? refused.as(ExchangeError.INVALID_CLIENT) : refused;
            throw new OAuthRefusal(mapped.error().code(), mapped.reasonCode(), mapped.description(), null);
        } catch (DataAccessException e) {
            throw OAuthRefusal.of("temporarily_unavailable", "database_unavailable",
                    "the broker's database is unavailable; retry later");
        }
        String agentId = identity.agent().id();
        if (presented.claimedClientId() != null && !presented.claimedClientId().equals(agentId)) {
            throw new OAuthRefusal("invalid_client", "client_id_mismatch",
                    "client_id does not name the agent of the workload JWT", agentId);
        }
        return new AuthenticatedAgent(AgentRegisteredClients.agentClient(agentId), identity, presented.via());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return WorkloadPresentation.class.isAssignableFrom(authentication);
    }
}
