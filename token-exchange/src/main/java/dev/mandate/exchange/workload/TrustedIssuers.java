package dev.mandate.exchange.workload;

import java.util.Optional;

/** Port: the trusted issuers, looked up by the exact {@code iss} string. */
public interface TrustedIssuers {

    Optional<TrustedIssuer> byIssuer(String issuer);
}
