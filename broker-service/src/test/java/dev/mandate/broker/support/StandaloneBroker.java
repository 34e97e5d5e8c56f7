package dev.mandate.broker.support;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mandate.broker.MandateBrokerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Starts a whole broker, always in embedded mode on its own data directory, for tests about
 * starting and restarting (key persistence, refusal to start). Close it like a shutdown.
 */
public final class StandaloneBroker implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private StandaloneBroker(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static StandaloneBroker start(Path dataDir, Map<String, String> extra) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("mandate.data-dir", dataDir.toString());
        properties.put("mandate.admin-token", "");
        properties.put("mandate.master-key", "");
        properties.putAll(extra);
        // As command-line arguments: they outrank application.properties (builder properties would not).
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new StandaloneBroker(new SpringApplicationBuilder(MandateBrokerApplication.class).run(args));
    }

    public JdbcClient jdbc() {
        return context.getBean(JdbcClient.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Override
    public void close() {
        context.close();
    }
}
