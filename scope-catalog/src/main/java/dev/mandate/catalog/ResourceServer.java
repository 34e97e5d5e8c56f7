package dev.mandate.catalog;

import java.util.Objects;

/** An API that accepts Mandate tokens: its {@code aud} value and the unit its budgets are kept in. */
public record ResourceServer(String id, String audience, String budgetUnit) {

    public ResourceServer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(budgetUnit, "budgetUnit");
    }
}
