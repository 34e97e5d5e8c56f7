package dev.mandate.broker.security;

import dev.mandate.broker.credentials.ResourceServerSecrets;
import java.time.Clock;

import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.keys.MasterKey;
import dev.mandate.broker.admin.AdminBearerAuthenticationFilter;
import dev.mandate.broker.admin.AdminTokens;
import dev.mandate.broker.discovery.AuthorizationServerMetadataFilter;
import dev.mandate.broker.discovery.IssuerUrl;
import dev.mandate.broker.discovery.JwksCacheControlFilter;
import dev.mandate.broker.oauth.OAuthFailureHandler;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenEndpointConfigurer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenIntrospectionEndpointConfigurer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenRevocationEndpointConfigurer;
import dev.mandate.broker.web.Problems;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;

/**
 * Three filter chains: Spring's authorization server for {@code /oauth2/*} and discovery, admin
 * bearer tokens for {@code /admin/v1/**}, and a closed default for the rest (health and metrics open).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    IssuerUrl issuerUrl(MandateProperties properties) {
        return new IssuerUrl(properties.issuer());
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
        // No issuer here: Mandate writes its own metadata and tokens with IssuerUrl.
        return AuthorizationServerSettings.builder().build();
    }

    @Bean
    ResourceServerSecrets resourceServerSecrets(JdbcClient jdbc, MasterKey masterKey, Clock clock) {
        return new ResourceServerSecrets(jdbc, masterKey, clock);
    }

    @Bean
    RegisteredClientRepository registeredClientRepository(JdbcClient jdbc) {
        return new AgentRegisteredClients(jdbc);
    }

    /** No users: nobody logs in to a token broker. Keeps Boot from generating a default password. */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerChain(HttpSecurity http, IssuerUrl issuer, MandateProperties properties,
                                                 WorkloadIdentityVerifier verifier,
                                                 Customizer<OAuth2TokenEndpointConfigurer> tokenEndpoint,
                                                 Customizer<OAuth2TokenIntrospectionEndpointConfigurer> introspection,
                                                 Customizer<OAuth2TokenRevocationEndpointConfigurer> revocation,
                                                 ResourceServerSecrets resourceServerSecrets,
                                                 OAuthFailureHandler failureHandler) throws Exception {
        AgentAuthenticationProvider agents = new AgentAuthenticationProvider(verifier);
        http.oauth2AuthorizationServer(as -> as
                // Our converter and providers only: agents by workload JWT, resource servers by Basic.
                .clientAuthentication(client -> client
                        .authenticationConverters(converters -> {
                            converters.clear();
                            converters.add(new ClientCredentialsConverter());
                        })
                        .authenticationProviders(providers -> {
                            providers.clear();
                            providers.add(agents);
                            providers.add(new ResourceServerAuthenticationProvider(resourceServerSecrets));
                        })
                        .errorResponseHandler(failureHandler))
                .tokenEndpoint(tokenEndpoint)
                .tokenIntrospectionEndpoint(introspection)
                .tokenRevocationEndpoint(revocation));
        OAuth2AuthorizationServerConfigurer authorizationServer = http.getConfigurer(OAuth2AuthorizationServerConfigurer.class);
        http.securityMatcher(authorizationServer.getEndpointsMatcher())
                // Ours run first (same slot, added earlier): RFC 8414 metadata, and the JWKS cache header.
                .addFilterBefore(new AuthorizationServerMetadataFilter(issuer, properties.jwks().maxAge()),
                        AbstractPreAuthenticatedProcessingFilter.class)
                .addFilterBefore(new JwksCacheControlFilter(properties.jwks().maxAge()),
                        AbstractPreAuthenticatedProcessingFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain adminChain(HttpSecurity http, AdminTokens adminTokens) throws Exception {
        http.securityMatcher("/admin/v1/**")
                .addFilterBefore(new AdminBearerAuthenticationFilter(adminTokens), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("ADMIN"))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) ->
                        Problems.write(response, 401, "unauthorized", "Unauthorized", "missing admin bearer token")));
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain defaultChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus",
                                "/actuator/info", "/error", "/openapi.yaml").permitAll()
                        .anyRequest().denyAll())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
        return http.build();
    }
}
