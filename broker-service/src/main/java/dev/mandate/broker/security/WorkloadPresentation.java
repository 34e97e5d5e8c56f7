package dev.mandate.broker.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * An agent's workload JWT as presented, not yet verified (SPEC §2): as a client assertion, or,
 * without client authentication, as the actor token or the subject token of a token exchange.
 */
public final class WorkloadPresentation extends AbstractAuthenticationToken {

    public enum Via {
        CLIENT_ASSERTION, ACTOR_TOKEN, SUBJECT_TOKEN
    }

    private final String jwt;
    private final Via via;
    private final String claimedClientId;

    WorkloadPresentation(String jwt, Via via, String claimedClientId) {
        super(List.of());
        this.jwt = jwt;
        this.via = via;
        this.claimedClientId = claimedClientId;
        setAuthenticated(false);
    }

    public Via via() {
        return via;
    }

    String jwt() {
        return jwt;
    }

    String claimedClientId() {
        return claimedClientId;
    }

    @Override
    public Object getCredentials() {
        return jwt;
    }

    @Override
    public Object getPrincipal() {
        return claimedClientId == null ? "unidentified-agent" : claimedClientId;
    }

    @Override
    public String toString() {
        return "WorkloadPresentation[" + via + "]";   // never the JWT
    }
}
