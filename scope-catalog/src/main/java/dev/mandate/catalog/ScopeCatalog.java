package dev.mandate.catalog;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Port: the resource servers and scopes admins defined. */
public interface ScopeCatalog {

    Optional<ResourceServer> resourceServerByAudience(String audience);

    Optional<ResourceServer> resourceServerById(String id);

    /** The definitions of those of {@code names} that exist; missing names are simply absent. */
    Map<ScopeName, ScopeDefinition> definitions(Collection<ScopeName> names);
}
