package io.trellis.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeNameSourceTest {

    @Test
    void envReadsTheVariable() {
        assertThat(new NodeNameSource.Env("NODE_NAME").resolve(Map.of("NODE_NAME", "worker-2"), () -> "ignored"))
                .isEqualTo("worker-2");
    }

    @Test
    void envUnsetOrInvalidIsAnErrorNamingTheVariable() {
        assertThatThrownBy(() -> new NodeNameSource.Env("NODE_NAME").resolve(Map.of(), () -> "h"))
                .hasMessage("nodeName: environment variable NODE_NAME is not set");
        assertThatThrownBy(() -> new NodeNameSource.Env("NODE_NAME").resolve(Map.of("NODE_NAME", "a b"), () -> "h"))
                .hasMessage("nodeName: environment variable NODE_NAME is 'a b', not a valid Node name (an RFC 1123 DNS "
                        + "subdomain)");
    }

    @Test
    void hostnameIsLowerCasedLikeTheKubeletDoes() {
        assertThat(new NodeNameSource.Hostname().resolve(Map.of(), () -> "Worker-3.Lab")).isEqualTo("worker-3.lab");
        assertThatThrownBy(() -> new NodeNameSource.Hostname().resolve(Map.of(), () -> "-bad-"))
                .hasMessage("nodeName: host name is '-bad-', not a valid Node name (an RFC 1123 DNS subdomain)");
    }

    @Test
    void fixedIsCheckedWhenBuilt() {
        assertThat(new NodeNameSource.Fixed("n1").resolve(Map.of("NODE_NAME", "other"), () -> "h")).isEqualTo("n1");
        assertThatThrownBy(() -> new NodeNameSource.Fixed("N1"))
                .hasMessage("'N1' is not a valid Node name (an RFC 1123 DNS subdomain)");
    }
}
