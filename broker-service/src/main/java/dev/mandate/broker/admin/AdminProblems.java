package dev.mandate.broker.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** The one place where admin refusals become RFC 9457 problem+json. Never a stack trace. */
@RestControllerAdvice
class AdminProblems {

    private static final Logger log = LoggerFactory.getLogger(AdminProblems.class);

    @ExceptionHandler(AdminRefusal.class)
    ResponseEntity<Map<String, Object>> refused(AdminRefusal refusal) {
        return problem(refusal.status(), refusal.type(), refusal.getMessage(), refusal.errors());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        String message = String.valueOf(e.getMessage());
        java.util.regex.Matcher unknown = java.util.regex.Pattern.compile("Unrecognized (?:property|field) \"([A-Za-z0-9_]{1,64})\"")
                .matcher(message);
        if (unknown.find()) {
            return problem(400, "unknown-field", "unknown field '" + unknown.group(1) + "'",
                    List.of(Map.of("field", unknown.group(1), "message", "is not a field of this resource")));
        }
        return problem(400, "malformed-json", "the body is not valid JSON of the expected shape", List.of());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType() {
        return problem(415, "unsupported-media-type", "send application/json", List.of());
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Map<String, Object>> notAcceptable() {
        return problem(406, "not-acceptable", "this API answers application/json", List.of());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method() {
        return problem(405, "method-not-allowed", "method not allowed here", List.of());
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingRequestHeaderException.class})
    ResponseEntity<Map<String, Object>> badParameter(Exception e) {
        return problem(400, "validation", "a parameter or header is malformed or missing", List.of());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> noResource() {
        return problem(404, "not-found", "no such resource", List.of());
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Map<String, Object>> integrity(DataIntegrityViolationException e) {
        // Validation runs first, so this is a race (e.g. a duplicate created concurrently) or a reference.
        return problem(409, "conflict", "the change conflicts with existing data", List.of());
    }

    @ExceptionHandler({CannotGetJdbcConnectionException.class, CannotCreateTransactionException.class,
            DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<Map<String, Object>> database(Exception e) {
        log.warn("Admin request failed: database unavailable ({})", e.getClass().getSimpleName());
        return ResponseEntity.status(503).header("Retry-After", "2").contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(body(503, "database-unavailable", "the broker's database is unavailable; retry later", List.of()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        log.error("Admin request failed unexpectedly", e);
        return problem(500, "internal-error", "the broker failed to process the request", List.of());
    }

    static ResponseEntity<Map<String, Object>> problem(int status, String type, String detail, List<Map<String, String>> errors) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header("Cache-Control", "no-store").body(body(status, type, detail, errors));
    }

    private static Map<String, Object> body(int status, String type, String detail, List<Map<String, String>> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:mandate:problem:" + type);
        body.put("title", HttpStatus.valueOf(status).getReasonPhrase());
        body.put("status", status);
        body.put("detail", detail);
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        return body;
    }
}
