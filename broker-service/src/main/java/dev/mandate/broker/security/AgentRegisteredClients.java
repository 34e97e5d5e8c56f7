package dev.mandate.broker.security;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Spring's authorization server sees each enabled agent as a client whose only grant is token
 * exchange and whose only authentication is its workload-identity JWT. Clients are managed through
 * the admin API, never saved through this interface.
 */
final class AgentRegisteredClients implements RegisteredClientRepository {

    static final ClientAuthenticationMethod WORKLOAD_JWT = new ClientAuthenticationMethod("workload_jwt");

    private final JdbcClient jdbc;

    AgentRegisteredClients(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("agents are managed through /admin/v1/agents");
    }

    @Override
    public RegisteredClient findById(String id) {
        return findByClientId(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        if (clientId == null || clientId.length() > 64) {
            return null;
        }
        return jdbc.sql("SELECT id FROM agents WHERE id = ? AND enabled")
                .param(clientId)
                .query((rs, n) -> agentClient(rs.getString("id")))
                .optional().orElse(null);
    }

    /** The client Spring sees for an agent: token exchange only, authenticated by its workload JWT. */
    static RegisteredClient agentClient(String agentId) {
        return RegisteredClient.withId(agentId)
                .clientId(agentId)
                .clientAuthenticationMethod(WORKLOAD_JWT)
                .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                .build();
    }
}
