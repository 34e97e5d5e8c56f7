package dev.mandate.broker.tokenendpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.List;

import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import dev.mandate.broker.support.TokenEndpointTest;
import dev.mandate.validator.InvalidTokenException;
import dev.mandate.validator.MandateClient;
import dev.mandate.validator.MandateToken;
import dev.mandate.validator.MandateTokenValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/** token-validator against the real broker: offline validation, introspection and charges. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenValidatorIntegrationTest extends TokenEndpointTest {

    @Autowired
    ResourceServerSecrets secrets;

    TestWorkloadIssuer spire;
    String audience;
    String rsId;
    String rsSecret;
    String subject;
    String coderSubject;
    String read;

    @BeforeAll
    void setUp() {
        spire = new TestWorkloadIssuer("spire-tv");
        String p = "tv" + Long.toHexString(System.nanoTime() & 0xffffff);
        Catalog catalog = new Catalog(jdbc, p);
        String issuer = catalog.issuer("spire", spire, null);
        audience = "https://orders-" + p + ".example.com";
        rsSecret = TestDatabase.randomToken();
        rsId = catalog.resourceServer("orders", audience, "calls", secrets.hmac(rsSecret));
        read = catalog.scope("read", rsId, 300, 900, null, true);
        subject = "spiffe://acme.org/planner-" + p;
        coderSubject = "spiffe://acme.org/coder-" + p;
        catalog.agent("coder", issuer, coderSubject, List.of(read), List.of(), 3, true);
        catalog.agent("planner", issuer, subject, List.of(read), List.of(catalog.id("coder")), 3, true);
    }

    @AfterAll
    void stop() {
        spire.close();
    }

    @Test
    @DisplayName("a resource server with one dependency validates delegated tokens offline, introspects and charges")
    void endToEnd() throws Exception {
        String broker = "http://localhost:" + port;
        HttpResponse<String> root = token(form("grant_type", GRANT, "subject_token", spire.mint(subject, broker),
                "subject_token_type", JWT_TYPE, "audience", audience, "scope", read, "budget", "10"));
        String parent = (String) json(root).get("access_token");
        String child = (String) json(token(form("grant_type", GRANT, "subject_token", parent, "subject_token_type", AT_TYPE,
                "actor_token", spire.mint(coderSubject, broker), "actor_token_type", JWT_TYPE, "budget", "4"))).get("access_token");

        MandateTokenValidator validator = MandateTokenValidator.builder(broker, audience).build();
        MandateToken token = validator.validate(child);
        assertThat(token.subject()).isEqualTo(subject);
        assertThat(token.actors()).extracting(MandateToken.Actor::subject).containsExactly(coderSubject);
        assertThat(token.budget()).isEqualTo(new MandateToken.Budget(4, "calls"));
        assertThatThrownBy(() -> MandateTokenValidator.builder(broker, "https://elsewhere").build().validate(child))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.WRONG_AUDIENCE));

        MandateClient client = new MandateClient(broker, rsId, rsSecret);
        assertThat(client.introspect(child).active()).isTrue();
        assertThat(client.charge(child, 3, "c1")).isEqualTo(new MandateClient.Charge.Charged(3, 1L, 4L, "calls", false));
        assertThat(client.charge(child, 3, "c1")).isEqualTo(new MandateClient.Charge.Charged(3, 1L, 4L, "calls", true));
        assertThat(client.charge(child, 2, "c2")).isEqualTo(new MandateClient.Charge.BudgetExceeded(1));
        post("/oauth2/revoke", form("token", parent, "client_assertion_type", JWT_BEARER, "client_assertion", spire.mint(subject, broker)), null, null);
        assertThat(client.introspect(child).active()).isFalse();
        assertThat(client.charge(child, 1, "c3")).isEqualTo(new MandateClient.Charge.Inactive());
    }
}
