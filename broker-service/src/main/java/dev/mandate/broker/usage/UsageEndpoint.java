package dev.mandate.broker.usage;

import java.io.IOException;
import java.text.ParseException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.audit.AuditEvent;
import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.tokens.IssuedTokenStore;
import dev.mandate.broker.tokens.StoredToken;
import dev.mandate.broker.web.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * {@code POST /v1/usage} (SPEC §6): a resource server charges a token's budget. Answers are
 * RFC 9457 problem+json for every refusal; the charge row is the record of a charge, and every
 * refusal writes an audit event.
 */
public final class UsageEndpoint {

    static final int MAX_BODY_BYTES = 64 * 1024;
    static final long MAX_AMOUNT = 1_000_000_000_000L;
    private static final Set<String> FIELDS = Set.of("token", "amount", "idempotency_key");
    private static final Logger log = LoggerFactory.getLogger(UsageEndpoint.class);

    private final ResourceServerSecrets secrets;
    private final IssuedTokenStore tokens;
    private final UsageLedger ledger;
    private final AuditTrail audit;
    private final Clock clock;
    private final MeterRegistry meters;
    private final java.time.Duration bodyReadTimeout;

    UsageEndpoint(ResourceServerSecrets secrets, IssuedTokenStore tokens, UsageLedger ledger, AuditTrail audit, Clock clock,
                  MeterRegistry meters, java.time.Duration bodyReadTimeout) {
        this.bodyReadTimeout = bodyReadTimeout;
        this.secrets = secrets;
        this.tokens = tokens;
        this.ledger = ledger;
        this.audit = audit;
        this.clock = clock;
        this.meters = meters;
    }

    public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String server = null;
        try {
            if (!"POST".equals(request.getMethod())) {
                response.setHeader("Allow", "POST");
                Problems.write(response, 405, "method-not-allowed", "Method Not Allowed", "only POST is allowed");
                return;
            }
            var credentials = BasicCredentials.parse(request.getHeader("Authorization"));
            String audience = credentials.flatMap(c -> secrets.authenticate(c.id(), c.secret())).orElse(null);
            if (audience == null) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"mandate\"");
                Problems.write(response, 401, "unauthorized", "Unauthorized", "resource server HTTP Basic credentials required");
                return;
            }
            server = credentials.get().id();
            String contentType = request.getContentType();
            if (contentType == null || !contentType.toLowerCase(Locale.ROOT).split(";")[0].trim().equals("application/json")) {
                refuse(response, server, 415, "unsupported-media-type", "Unsupported Media Type", "send application/json", null);
                return;
            }
            if (request.getContentLengthLong() > MAX_BODY_BYTES) {
                refuse(response, server, 413, "payload-too-large", "Payload Too Large", "the body is larger than 64 KiB", null);
                return;
            }
            byte[] body;
            try {
                body = dev.mandate.broker.http.BodyReader.read(request, MAX_BODY_BYTES, bodyReadTimeout);
            } catch (dev.mandate.broker.http.BodyReader.SlowBody e) {
                response.setHeader("Connection", "close");
                refuse(response, server, 408, "request-timeout", "Request Timeout", e.getMessage(), null);
                return;
            }
            if (body.length > MAX_BODY_BYTES) {
                refuse(response, server, 413, "payload-too-large", "Payload Too Large", "the body is larger than 64 KiB", null);
                return;
            }
            UsageRequest usage;
            try {
                usage = UsageRequest.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                refuse(response, server, 400, "invalid-request", "Bad Request", e.getMessage(), null);
                return;
            }
            StoredToken token = usage.token().length() > 16 * 1024 ? null : tokens.findByToken(usage.token()).orElse(null);
            if (token != null && !token.audience().equals(audience)) {
                refuse(response, server, 403, "wrong-audience", "Forbidden", "the token is not addressed to this resource server", token);
                return;
            }
            UsageLedger.Outcome outcome;
            if (token != null && !token.activeAt(clock.instant())) {
                // A retry of a charge that was recorded before the token was revoked or expired gets
                // the recorded answer, so the resource server learns that it was charged.
                outcome = ledger.find(token.jti(), usage.idempotencyKey()).orElse(null);
            } else {
                outcome = null;
            }
            if (outcome == null && (token == null || !token.activeAt(clock.instant()))) {
                String detail = token == null ? "unknown token" : token.chainRevoked() ? "the token is revoked" : "the token has expired";
                refuse(response, server, 409, "token-inactive", "Conflict", detail, token);
                return;
            }
            if (outcome == null) {
                outcome = ledger.charge(token, server, usage.amount(), usage.idempotencyKey());
            }
            if (outcome instanceof UsageLedger.Insufficient insufficient) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("remaining", insufficient.remaining());
                extra.put("limit", insufficient.limit());
                extra.put("unit", insufficient.unit());
                count(server, "insufficient");
                audit.append(AuditEvent.refused("usage.charge", "budget_exceeded").actor("rs:" + server)
                        .agent(token.agentId()).jti(token.jti()).task(token.taskId())
                        .details(Map.of("amount", usage.amount(), "remaining", insufficient.remaining())).build());
                Problems.write(response, 402, "budget-exceeded", "Payment Required",
                        "the charge exceeds the remaining budget; nothing was charged", extra);
                return;
            }
            UsageLedger.Charged charged = (UsageLedger.Charged) outcome;
            count(server, charged.replay() ? "replay" : "charged");
            if (!charged.replay()) {
                Counter.builder("mandate.usage.charged.amount").description("Budget charged, by resource server and unit")
                        .tag("resource_server", server).tag("unit", charged.unit() == null ? "none" : charged.unit())
                        .register(meters).increment(charged.amount());
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("jti", token.jti());
            answer.put("task_id", token.taskId());
            answer.put("charged", charged.amount());
            answer.put("remaining", charged.remaining());
            answer.put("limit", charged.limit());
            answer.put("unit", charged.unit());
            answer.put("charge_id", charged.chargeId());
            answer.put("replayed", charged.replay());
            byte[] json = JSONObjectUtils.toJSONString(answer).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            response.setStatus(200);
            response.setContentType("application/json");
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(json.length);
            response.getOutputStream().write(json);
        } catch (DataAccessException | TransactionException e) {
            log.warn("/v1/usage failed: database unavailable ({})", e.getClass().getSimpleName());
            response.setHeader("Retry-After", "2");
            Problems.write(response, 503, "database-unavailable", "Service Unavailable", "the broker's database is unavailable; retry later");
        }
    }

    private void refuse(HttpServletResponse response, String server, int status, String type, String title, String detail,
                        StoredToken token) throws IOException {
        count(server, type);
        audit.append(AuditEvent.refused("usage.charge", type.replace('-', '_')).actor("rs:" + server)
                .agent(token == null ? null : token.agentId()).jti(token == null ? null : token.jti())
                .task(token == null ? null : token.taskId()).build());
        Problems.write(response, status, type, title, detail);
    }

    private void count(String server, String outcome) {
        Counter.builder("mandate.usage.charges").description("Usage charges by resource server and outcome")
                .tag("resource_server", server).tag("outcome", outcome).register(meters).increment();
    }

    /** The JSON body of SPEC §6, strictly: exactly the known fields, with types and bounds. */
    record UsageRequest(String token, long amount, String idempotencyKey) {

        static UsageRequest parse(String json) {
            Map<String, Object> body;
            try {
                body = JSONObjectUtils.parse(json);
            } catch (ParseException e) {
                throw new IllegalArgumentException("the body is not a JSON object");
            }
            for (String field : body.keySet()) {
                if (!FIELDS.contains(field)) {
                    throw new IllegalArgumentException("unknown field '" + (field.length() > 40 ? field.substring(0, 40) : field) + "'");
                }
            }
            if (!(body.get("token") instanceof String token) || token.isEmpty()) {
                throw new IllegalArgumentException("token must be a non-empty string");
            }
            Object amount = body.get("amount");
            if (!(amount instanceof Long value) || value <= 0 || value > MAX_AMOUNT) {
                throw new IllegalArgumentException("amount must be a positive integer of at most " + MAX_AMOUNT);
            }
            if (!(body.get("idempotency_key") instanceof String key) || key.isEmpty() || key.length() > 200
                    || key.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("idempotency_key must be a string of 1 to 200 printable characters");
            }
            return new UsageRequest(token, value, key);
        }
    }
}
