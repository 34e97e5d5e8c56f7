package dev.mandate.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RFC 6749 §3.3 scopes")
class ScopeSetTest {

    @Test
    @DisplayName("a space-delimited list parses into a sorted set without duplicates")
    void parse() {
        assertThat(ScopeSet.parse("orders:write orders:read orders:read").toString()).isEqualTo("orders:read orders:write");
        assertThat(ScopeSet.parse(null).isEmpty()).isTrue();
        assertThat(ScopeSet.parse("   ").isEmpty()).isTrue();
    }

    @Test
    @DisplayName("scope-tokens exclude spaces, quotes, backslashes and control characters")
    void characters() {
        assertThat(ScopeName.isValid("orders:read")).isTrue();
        assertThat(ScopeName.isValid("a\"b")).isFalse();
        assertThat(ScopeName.isValid("a\\b")).isFalse();
        assertThat(ScopeName.isValid("a\u0007")).isFalse();
        assertThat(ScopeName.isValid("x".repeat(129))).isFalse();
        assertThatThrownBy(() -> ScopeSet.parse("ok bad\"")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("set algebra: containsAll, intersect, missingFrom")
    void algebra() {
        ScopeSet parent = ScopeSet.parse("a b c");
        ScopeSet child = ScopeSet.parse("a c");
        assertThat(parent.containsAll(child)).isTrue();
        assertThat(child.containsAll(parent)).isFalse();
        assertThat(parent.intersect(ScopeSet.parse("c d")).toString()).isEqualTo("c");
        assertThat(ScopeSet.parse("a d").missingFrom(parent)).extracting(ScopeName::value).containsExactly("d");
    }
}
