package dev.mandate.broker.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;

/** Calls the admin API over real HTTP and checks every exchange against openapi.yaml. */
public final class AdminClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;
    private final String token;

    public AdminClient(int port, String token) {
        this.port = port;
        this.token = token;
    }

    public record Response(int status, String body, String etag) {
        public Map<String, Object> json() {
            try {
                return JSONObjectUtils.parse(body);
            } catch (java.text.ParseException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String problemType() {
            return (String) json().get("type");
        }
    }

    public Response get(String path) {
        return call("GET", path, null, null);
    }

    public Response post(String path, String body) {
        return call("POST", path, body, null);
    }

    public Response put(String path, String body, String ifMatch) {
        return call("PUT", path, body, ifMatch);
    }

    public Response delete(String path) {
        return call("DELETE", path, null, null);
    }

    public Response call(String method, String path, String body, String ifMatch) {
        return call(method, path, body, ifMatch, "application/json");
    }

    public Response call(String method, String path, String body, String ifMatch, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String answered = response.headers().firstValue("Content-Type").orElse(null);
            OpenApiContract.get().check(method, path, body, response.statusCode(), answered, response.body());
            return new Response(response.statusCode(), response.body(), response.headers().firstValue("ETag").orElse(null));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
