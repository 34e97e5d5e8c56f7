package dev.mandate.exchange;

/** What a grant does to budgets; the broker carries it out atomically with the token row. */
public sealed interface BudgetIntent {

    /** No budget on this token. */
    record None() implements BudgetIntent {
    }

    /** A root token opens an account of {@code limit}. */
    record Open(long limit, String unit) implements BudgetIntent {
    }

    /** A child carves {@code amount} out of its parent's account {@code fromAccount}. */
    record Carve(long fromAccount, long amount, String unit) implements BudgetIntent {
    }

    /** A child without its own budget shares its parent's account. */
    record Share(long account, long limit, long remaining, String unit) implements BudgetIntent {
    }

    BudgetIntent NONE = new None();
}
