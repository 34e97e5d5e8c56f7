package dev.mandate.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.yaml.snakeyaml.Yaml;

/**
 * The top-level {@code openapi.yaml} as an executable contract: finds the operation for a real
 * request and checks the request body, status, content type and response body against it with a
 * JSON Schema 2020-12 validator (networknt), the dialect OpenAPI 3.1 schemas are written in.
 */
public final class OpenApiContract {

    private static final OpenApiContract INSTANCE = new OpenApiContract();

    private final Map<String, Object> document;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final ObjectMapper json = new ObjectMapper();

    @SuppressWarnings("unchecked")
    private OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi.yaml")) {
            document = new Yaml().load(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static OpenApiContract get() {
        return INSTANCE;
    }

    /** Checks one exchange; fails the test with the contract's complaint. */
    public void check(String method, String path, String requestBody, int status, String contentType, String responseBody) {
        String template = template(path);
        Map<String, Object> operation = map(map(map(document.get("paths")).get(template)).get(method.toLowerCase()));
        assertThat(operation).as("%s %s is in openapi.yaml", method, template).isNotNull();
        String base = "/paths/" + escape(template) + "/" + method.toLowerCase();
        if (requestBody != null && operation.containsKey("requestBody") && status < 300) {
            validate(base + "/requestBody/content/application~1json/schema", requestBody, "request " + method + " " + path);
        }
        Map<String, Object> responses = map(operation.get("responses"));
        assertThat(responses).as("%s %s documents status %d", method, template, status).containsKey(String.valueOf(status));
        Map<String, Object> response = map(responses.get(String.valueOf(status)));
        String pointer = base + "/responses/" + status;
        if (response.containsKey("$ref")) {
            pointer = ((String) response.get("$ref")).substring(1);
            response = map(resolve(pointer));
        }
        Map<String, Object> content = map(response.get("content"));
        if (content == null) {
            assertThat(responseBody == null || responseBody.isEmpty()).as("no body documented for %d", status).isTrue();
            return;
        }
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        assertThat(content).as("%s %s %d documents content type %s", method, template, status, type).containsKey(type);
        validate(pointer + "/content/" + escape(type) + "/schema", responseBody, "response " + status + " " + method + " " + path);
    }

    private void validate(String pointer, String body, String what) {
        JsonSchema schema = factory.getSchema(SchemaLocation.of("classpath:openapi.yaml#" + pointer));
        try {
            JsonNode node = json.readTree(body);
            Set<ValidationMessage> errors = schema.validate(node);
            assertThat(errors).as("%s matches openapi.yaml at %s: %s", what, pointer, body).isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(what + " is not JSON: " + body, e);
        }
    }

    private String template(String path) {
        String bare = path.split("\\?")[0];
        for (String template : map(document.get("paths")).keySet()) {
            Pattern pattern = Pattern.compile("^" + template.replaceAll("\\{[^}]+}", "[^/]+") + "$");
            if (pattern.matcher(bare).matches()) {
                return template;
            }
        }
        throw new AssertionError("no path of openapi.yaml matches " + bare);
    }

    private Object resolve(String pointer) {
        Object node = document;
        for (String part : pointer.substring(1).split("/")) {
            node = map(node).get(part.replace("~1", "/").replace("~0", "~"));
        }
        return node;
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    static List<String> unused() {
        return List.of();
    }
}
