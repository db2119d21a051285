package io.trellis.controlplane.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentTokensTest {

    @Test
    void theTokenIsTheRfc4231HmacSha256InLowercaseHex() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assertThat(AgentTokens.tokenFor("Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void tokensDifferPerNodeAndPerSecret() {
        byte[] secret = "s3cret".getBytes(StandardCharsets.UTF_8);
        String a = AgentTokens.tokenFor(secret, "node-a");

        assertThat(a).hasSize(64).matches("[0-9a-f]+");
        assertThat(AgentTokens.tokenFor(secret, "node-b")).isNotEqualTo(a);
        assertThat(AgentTokens.tokenFor("other".getBytes(StandardCharsets.UTF_8), "node-a")).isNotEqualTo(a);
        assertThat(AgentTokens.matches(secret, "node-a", a)).isTrue();
        assertThat(AgentTokens.matches(secret, "node-b", a)).isFalse();
        assertThat(AgentTokens.matches(secret, "node-a", a.toUpperCase())).isFalse();
        assertThat(AgentTokens.matches(secret, "node-a", "")).isFalse();
    }

    @Test
    void theSecretFileIsTrimmed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, "  s3cret\n");
        assertThat(AgentTokens.readSecret(file)).isEqualTo("s3cret".getBytes(StandardCharsets.UTF_8));

        Files.writeString(file, " \n");
        assertThatThrownBy(() -> AgentTokens.readSecret(file)).hasMessage("the agent token secret " + file + " is empty");
    }

    @Test
    void bearerCredentialsAreParsed() {
        String header = PolicyStreamProtocol.authorization("node-a", "abc123");
        assertThat(header).isEqualTo("Bearer node-a:abc123");
        assertThat(PolicyStreamProtocol.credentials(header))
                .contains(new PolicyStreamProtocol.Credentials("node-a", "abc123"));
        assertThat(PolicyStreamProtocol.credentials("Basic bm9kZTp0b2tlbg==")).isEmpty();
        assertThat(PolicyStreamProtocol.credentials("Bearer abc123")).isEmpty();
        assertThat(PolicyStreamProtocol.credentials("Bearer :abc")).isEmpty();
        assertThat(PolicyStreamProtocol.credentials(null)).isEmpty();
        assertThat(new PolicyStreamProtocol.Credentials("n", "secret-token").toString()).doesNotContain("secret-token");
    }
}
