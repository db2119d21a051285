package io.trellis.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {
    @Test
    void parsesEveryOptionAndTakesKubeconfigFromTheEnvironment() {
        AgentOptions o = AgentOptions.parse(new String[] {"--config", "/etc/t.yaml", "--node-timeout", "30"},
                Map.of("KUBECONFIG", "/root/.kube/lab"));
        assertThat(o).isEqualTo(new AgentOptions(Path.of("/etc/t.yaml"), java.util.Optional.of(Path.of("/root/.kube/lab")),
                Duration.ofSeconds(30)));
        AgentOptions explicit = AgentOptions.parse(new String[] {"--kubeconfig", "/k", "--config", "/c"},
                Map.of("KUBECONFIG", "/root/.kube/lab"));
        assertThat(explicit.kubeconfig()).contains(Path.of("/k"));
        assertThat(explicit.nodeTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(AgentOptions.parse(new String[] {"--config", "/c"}, Map.of()).kubeconfig()).isEmpty();
    }

    @Test
    void reportsEveryProblemWithTheUsage() {
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--verbose", "--node-timeout", "soon", "--config"}, Map.of()))
                .hasMessage("unknown argument '--verbose'; --node-timeout: expected a positive number of seconds, got "
                        + "'soon'; --config needs a value\n" + AgentOptions.USAGE);
        assertThatThrownBy(() -> AgentOptions.parse(new String[0], Map.of())).hasMessageStartingWith("--config is required");
    }
}
