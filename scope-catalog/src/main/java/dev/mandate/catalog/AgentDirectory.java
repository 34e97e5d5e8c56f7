package dev.mandate.catalog;

import java.util.Optional;

/** Port: the registered agents. */
public interface AgentDirectory {

    Optional<Agent> byId(String id);

    Optional<Agent> byIssuerAndSubject(String issuer, String subject);
}
