package dev.mandate.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.embeddedpg.EmbeddedPostgresLauncher;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §7: the key lifecycle, with a moved clock, and across two instances on one PostgreSQL. */
class KeyRotationTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path otherDataDir;

    /** A resource server that caches the JWKS for its max-age and never refetches early. */
    static final class CachingResourceServer {
        JWKSet jwks;
        Instant fetchedAt;

        boolean accepts(String token, Instant now) {
            try {
                SignedJWT jwt = SignedJWT.parse(token);
                JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
                return key != null && jwt.verify(new ECDSAVerifier((ECKey) key))
                        && jwt.getJWTClaimsSet().getExpirationTime().toInstant().isAfter(now);
            } catch (Exception e) {
                return false;
            }
        }
    }

    @Test
    @DisplayName("keys rotate several times while resource servers caching the JWKS for max-age validate every live token: zero failures, "
            + "also with a second instance that reloads only once per check interval")
    void zeroFailuresAcrossRotations() {
        try (var broker = StandaloneBroker.start(dataDir, Map.of("mandate.keys.check-interval", "1h",
                "mandate.keys.rotation-interval", "2h"))) {
            SigningKeyStore store = broker.bean(SigningKeyStore.class);
            MandateProperties properties = broker.bean(MandateProperties.class);
            SigningKeyStore.Lifecycle lifecycle = KeyRotation.lifecycle(properties);
            SigningKeys a = broker.bean(SigningKeys.class);
            SigningKeys b = new SigningKeys(store, "ES256");   // a second instance, reloading lazily
            BrokerTokens signerA = new BrokerTokens(a);
            BrokerTokens signerB = new BrokerTokens(b);
            Duration maxAge = properties.jwks().maxAge();
            Duration check = properties.keys().checkInterval();
            Duration tokenTtl = properties.maxTokenTtl();
            CachingResourceServer rs = new CachingResourceServer();
            record Live(String token, Instant exp) { }
            List<Live> live = new ArrayList<>();
            Set<String> signingKids = new HashSet<>();
            int failures = 0;
            int checked = 0;
            Instant now = Instant.now();
            Instant lastReloadB = now;
            for (int minute = 0; minute < 20 * 60; minute += 5) {
                now = now.plus(Duration.ofMinutes(5));
                store.advance(now, lifecycle, false);
                a.reload();
                if (Duration.between(lastReloadB, now).compareTo(check) >= 0) {
                    b.reload();
                    lastReloadB = now;
                }
                if (rs.fetchedAt == null || Duration.between(rs.fetchedAt, now).compareTo(maxAge) >= 0) {
                    rs.jwks = (minute % 10 == 0 ? a : b).publicJwkSet();   // behind a load balancer
                    rs.fetchedAt = now;
                }
                BrokerTokens signer = minute % 10 == 0 ? signerA : signerB;
                Instant exp = now.plus(tokenTtl);
                BrokerTokens.Signed signed = signer.sign(new JWTClaimsSet.Builder().issuer("https://mandate.test")
                        .expirationTime(Date.from(exp)).jwtID("t" + minute).build());
                signingKids.add(signed.kid());
                live.add(new Live(signed.token(), exp));
                final Instant at = now;
                live.removeIf(l -> !l.exp().isAfter(at));
                for (Live token : live) {
                    checked++;
                    if (!rs.accepts(token.token(), now)) {
                        failures++;
                    }
                }
            }
            assertThat(signingKids).as("several rotations happened").hasSizeGreaterThanOrEqualTo(5);
            assertThat(checked).isGreaterThan(2_000);
            assertThat(failures).isZero();
            assertThat(broker.jdbc().sql("SELECT count(*) FROM signing_keys WHERE state = 'current'").query(Long.class).single()).isEqualTo(1L);
            assertThat(broker.jdbc().sql("SELECT count(*) FROM signing_keys").query(Long.class).single())
                    .as("retired keys are removed once their tokens expired").isLessThanOrEqualTo(4L);
        }
    }

    @Test
    @DisplayName("two broker instances on one PostgreSQL rotate concurrently and end with one current key and the same JWKS")
    void twoInstances() throws Exception {
        String master = TestDatabase.randomBase64(32);
        String admin = TestDatabase.randomToken();
        try (var a = StandaloneBroker.start(dataDir, Map.of("mandate.master-key", master, "mandate.admin-token", admin,
                "mandate.keys.check-interval", "1h"))) {
            String url = a.bean(EmbeddedPostgresLauncher.class).jdbcUrl();
            try (var b = StandaloneBroker.start(otherDataDir, Map.of("spring.datasource.url", url, "spring.datasource.username", "postgres",
                    "mandate.master-key", master, "mandate.admin-token", admin, "mandate.keys.check-interval", "1h"))) {
                HttpClient http = HttpClient.newHttpClient();
                List<Callable<Integer>> rotations = new ArrayList<>();
                for (StandaloneBroker broker : List.of(a, b, a, b)) {
                    rotations.add(() -> http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + broker.port() + "/admin/v1/keys/rotate"))
                            .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode());
                }
                ExecutorService pool = Executors.newFixedThreadPool(4);
                for (Future<Integer> f : pool.invokeAll(rotations)) {
                    assertThat(f.get()).isEqualTo(200);
                }
                assertThat(a.jdbc().sql("SELECT count(*) FROM signing_keys WHERE state = 'next'").query(Long.class).single()).isEqualTo(1L);
                Instant later = Instant.now().plus(Duration.ofHours(2));
                List<Callable<List<String>>> advances = new ArrayList<>();
                for (StandaloneBroker broker : List.of(a, b)) {
                    advances.add(() -> broker.bean(SigningKeyStore.class).advance(later,
                            KeyRotation.lifecycle(broker.bean(MandateProperties.class)), false));
                }
                int changes = 0;
                for (Future<List<String>> f : pool.invokeAll(advances)) {
                    changes += f.get().size();
                }
                pool.shutdown();
                assertThat(changes).as("exactly one instance promoted the next key").isEqualTo(1);
                a.bean(SigningKeys.class).reload();
                b.bean(SigningKeys.class).reload();
                assertThat(a.jdbc().sql("SELECT count(*) FROM signing_keys WHERE state = 'current'").query(Long.class).single()).isEqualTo(1L);
                assertThat(a.bean(SigningKeys.class).current().kid()).isEqualTo(b.bean(SigningKeys.class).current().kid());
                assertThat(a.bean(SigningKeys.class).publicJwkSet().toString()).isEqualTo(b.bean(SigningKeys.class).publicJwkSet().toString());
                String token = b.bean(BrokerTokens.class).sign(new JWTClaimsSet.Builder().issuer("x").build()).token();
                assertThat(a.bean(BrokerTokens.class).verify(token, "x")).as("a token of B validates against A's keys").isPresent();
            }
        }
    }

    @Test
    @DisplayName("changing the algorithm makes the next check start a rotation to an RS256 key")
    void algorithmChange() {
        String master = TestDatabase.randomBase64(32);
        try (var broker = StandaloneBroker.start(dataDir, Map.of("mandate.master-key", master, "mandate.keys.check-interval", "1h"))) {
            assertThat(broker.bean(SigningKeys.class).current().algorithm()).isEqualTo("ES256");
        }
        try (var broker = StandaloneBroker.start(dataDir, Map.of("mandate.master-key", master, "mandate.keys.algorithm", "RS256",
                "mandate.keys.check-interval", "1h"))) {
            broker.bean(KeyRotation.class).check(false);   // the scheduled check runs at start too; make it certain
            assertThat(broker.jdbc().sql("SELECT alg FROM signing_keys WHERE state = 'next'").query(String.class).single()).isEqualTo("RS256");
            assertThat(broker.bean(SigningKeys.class).current().algorithm()).as("still signs with the old key until the new one is published long enough")
                    .isEqualTo("ES256");
        }
    }
}
