package dev.mandate.broker.audit;

import java.util.Map;
import java.util.Objects;

/**
 * One audit record (SPEC §1). Never carries a token, a secret or a key: only identifiers.
 *
 * @param type          what happened, e.g. {@code token.exchange}, {@code admin.scope.create}
 * @param outcome       {@code success}, {@code refused} or {@code error}
 * @param reason        the reason code of a refusal (the same code the error response describes)
 * @param actor         who acted: an agent id, {@code admin:<token id>} or {@code rs:<resource server>}
 * @param details       small JSON-able map of before/after ids; never secrets
 */
public record AuditEvent(String type, String outcome, String reason, String actor, String agentId, String jti,
                         String taskId, String parentJti, String audience, String scopes, String clientAddress,
                         Map<String, Object> details) {

    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        if (!outcome.equals("success") && !outcome.equals("refused") && !outcome.equals("error")) {
            throw new IllegalArgumentException("outcome must be success, refused or error");
        }
        details = details == null ? null : Map.copyOf(details);
    }

    public static Builder success(String type) {
        return new Builder(type, "success");
    }

    public static Builder refused(String type, String reason) {
        return new Builder(type, "refused").reason(reason);
    }

    /** Fluent construction, because most events set only a few of the fields. */
    public static final class Builder {
        private final String type;
        private final String outcome;
        private String reason;
        private String actor;
        private String agentId;
        private String jti;
        private String taskId;
        private String parentJti;
        private String audience;
        private String scopes;
        private String clientAddress;
        private Map<String, Object> details;

        private Builder(String type, String outcome) {
            this.type = type;
            this.outcome = outcome;
        }

        public Builder reason(String value) { this.reason = value; return this; }
        public Builder actor(String value) { this.actor = value; return this; }
        public Builder agent(String value) { this.agentId = value; return this; }
        public Builder jti(String value) { this.jti = value; return this; }
        public Builder task(String value) { this.taskId = value; return this; }
        public Builder parentJti(String value) { this.parentJti = value; return this; }
        public Builder audience(String value) { this.audience = value; return this; }
        public Builder scopes(String value) { this.scopes = value; return this; }
        public Builder clientAddress(String value) { this.clientAddress = value; return this; }
        public Builder details(Map<String, Object> value) { this.details = value; return this; }

        public AuditEvent build() {
            return new AuditEvent(type, outcome, reason, actor, agentId, jti, taskId, parentJti, audience, scopes,
                    clientAddress, details);
        }
    }
}
