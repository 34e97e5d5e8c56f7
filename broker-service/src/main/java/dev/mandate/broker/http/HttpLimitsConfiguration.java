package dev.mandate.broker.http;

import dev.mandate.broker.MandateProperties;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** HTTP limits beyond Boot's properties (README "Faults and timeouts"). */
@Configuration(proxyBeanMethods = false)
class HttpLimitsConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> headerCountLimit(MandateProperties properties) {
        int maxHeaders = properties.http().maxHeaderCount();
        return factory -> factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                http.setMaxHeaderCount(maxHeaders);
            }
        });
    }

    @Bean
    RefusalRateLimiter refusalRateLimiter(MandateProperties properties) {
        MandateProperties.RateLimit limit = properties.rateLimit();
        return limit.enabled() ? new RefusalRateLimiter(limit.refusals(), limit.period(), limit.trackedClients())
                : RefusalRateLimiter.disabled();
    }
}
