package dev.mandate.catalog;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** An immutable, sorted set of scopes; its string form is the space-delimited RFC 6749 §3.3 list. */
public record ScopeSet(SortedSet<ScopeName> names) {

    public static final ScopeSet EMPTY = new ScopeSet(new TreeSet<>());

    public ScopeSet {
        names = Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }

    /** Parses a space-delimited scope list; null or blank is the empty set. */
    public static ScopeSet parse(String spaceDelimited) {
        if (spaceDelimited == null || spaceDelimited.isBlank()) {
            return EMPTY;
        }
        if (spaceDelimited.length() > 4096) {
            throw new IllegalArgumentException("scope list too long");
        }
        TreeSet<ScopeName> names = new TreeSet<>();
        for (String token : spaceDelimited.trim().split(" +")) {
            names.add(new ScopeName(token));
        }
        return new ScopeSet(names);
    }

    public static ScopeSet of(Collection<String> values) {
        return new ScopeSet(values.stream().map(ScopeName::new).collect(Collectors.toCollection(TreeSet::new)));
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    public boolean contains(ScopeName name) {
        return names.contains(name);
    }

    public boolean containsAll(ScopeSet other) {
        return names.containsAll(other.names);
    }

    public ScopeSet intersect(ScopeSet other) {
        TreeSet<ScopeName> result = new TreeSet<>(names);
        result.retainAll(other.names);
        return new ScopeSet(result);
    }

    /** The members of this set that {@code other} lacks. */
    public Set<ScopeName> missingFrom(ScopeSet other) {
        TreeSet<ScopeName> result = new TreeSet<>(names);
        result.removeAll(other.names);
        return Collections.unmodifiableSet(result);
    }

    public Set<String> values() {
        return names.stream().map(ScopeName::value).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    @Override
    public String toString() {
        return names.stream().map(ScopeName::value).collect(Collectors.joining(" "));
    }
}
