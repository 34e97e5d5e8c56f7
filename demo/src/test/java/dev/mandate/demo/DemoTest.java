package dev.mandate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 9: the demo runs in CI and each step has the outcome the story promises. */
class DemoTest {

    @Test
    @DisplayName("root token with budget → delegated token → calls until 402 → revocation → refused")
    void story() throws Exception {
        List<String> lines = new ArrayList<>();
        Demo.Transcript transcript = new Demo(lines::add).run(Path.of("../broker-service/target/mandate-broker.jar"));
        assertThat(transcript.rootBudget()).isEqualTo(10);
        assertThat(transcript.childBudget()).isEqualTo(5);
        assertThat(transcript.actChain()).containsExactly("spiffe://demo/agents/coder");
        assertThat(transcript.coderCalls()).containsExactly(200, 200, 200, 200, 200, 402);
        assertThat(transcript.afterRevocation()).isEqualTo(401);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("act="));
    }
}
