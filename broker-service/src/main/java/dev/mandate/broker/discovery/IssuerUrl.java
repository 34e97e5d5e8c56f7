package dev.mandate.broker.discovery;

import java.net.URI;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The broker's issuer URL ({@code MANDATE_ISSUER}), or {@code http://localhost:<port>} once the
 * server knows its port. Compared byte for byte by every validator, so it is fixed at start.
 */
public final class IssuerUrl implements ApplicationListener<WebServerInitializedEvent> {

    private volatile String value;

    public IssuerUrl(String configured) {
        if (configured != null && !configured.isBlank()) {
            this.value = validate(configured.trim());
        }
    }

    private static String validate(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (Exception e) {
            throw new IllegalStateException("MANDATE_ISSUER is not a valid URL");
        }
        // RFC 8414 §2: https, no query or fragment (http is accepted for local use).
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalStateException("MANDATE_ISSUER must be an http(s) URL without query or fragment");
        }
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (value == null && event.getApplicationContext().getParent() == null) {
            value = "http://localhost:" + event.getWebServer().getPort();
        }
    }

    public String get() {
        String issuer = value;
        if (issuer == null) {
            throw new IllegalStateException("the issuer URL is not known before the server has started");
        }
        return issuer;
    }

    public String endpoint(String path) {
        return get() + path;
    }
}
