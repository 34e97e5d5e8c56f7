package dev.mandate.broker.security;

import dev.mandate.exchange.workload.WorkloadIdentity;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/** An agent whose workload JWT verified: the client of a token or revocation request. */
public final class AuthenticatedAgent extends OAuth2ClientAuthenticationToken {

    private final transient WorkloadIdentity identity;
    private final WorkloadPresentation.Via via;

    AuthenticatedAgent(RegisteredClient client, WorkloadIdentity identity, WorkloadPresentation.Via via) {
        super(client, AgentRegisteredClients.WORKLOAD_JWT, null);
        this.identity = identity;
        this.via = via;
    }

    public WorkloadIdentity identity() {
        return identity;
    }

    public WorkloadPresentation.Via via() {
        return via;
    }

    public String agentId() {
        return identity.agent().id();
    }
}
