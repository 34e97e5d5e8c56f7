package dev.mandate.broker.keys;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /admin/v1/keys}: kid, algorithm, state and dates; never private material. */
@RestController
@RequestMapping("/admin/v1/keys")
class KeysAdminController {

    private final SigningKeys keys;
    private final KeyRotation rotation;

    KeysAdminController(SigningKeys keys, KeyRotation rotation) {
        this.keys = keys;
        this.rotation = rotation;
    }

    /**
     * Starts a rotation now: publishes a {@code next} key (or keeps the one already waiting). It
     * signs once JWKS caches have had time to learn it; see {@link KeyRotation}.
     */
    @org.springframework.web.bind.annotation.PostMapping("/rotate")
    Map<String, List<KeyView>> rotate() {
        rotation.check(true);
        return list();
    }

    @GetMapping
    Map<String, List<KeyView>> list() {
        return Map.of("items", keys.all().stream()
                .map(k -> new KeyView(k.kid(), k.algorithm(), k.state().dbValue(), k.createdAt(), k.activatedAt(),
                        k.retiredAt()))
                .toList());
    }

    record KeyView(String kid, String alg, String state, Instant createdAt, Instant activatedAt, Instant retiredAt) {
    }
}
