package dev.mandate.broker;

import java.lang.management.ManagementFactory;

import dev.mandate.broker.discovery.IssuerUrl;
import dev.mandate.broker.embeddedpg.EmbeddedDatabaseMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** One line that tells an operator where the broker listens and what it runs on. */
@Component
class ReadyBanner {

    private static final Logger log = LoggerFactory.getLogger(ReadyBanner.class);

    @EventListener
    void ready(ApplicationReadyEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        IssuerUrl issuer = event.getApplicationContext().getBean(IssuerUrl.class);
        MandateProperties properties = event.getApplicationContext().getBean(MandateProperties.class);
        log.info("Mandate broker ready: listening on port {}, issuer {}, {} database, data directory {} ({} ms since JVM start)",
                port, issuer.get(), EmbeddedDatabaseMode.isEmbedded(env) ? "embedded" : "external",
                properties.dataDir().toAbsolutePath().normalize(),
                System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
    }
}
