package io.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControllerOptionsTest {
    @Test
    void readsConfigAndKubeconfigWithTheEnvironmentAsFallback() {
        assertThat(ControllerOptions.parse(new String[] {"--config", "c.yaml"}, Map.of("KUBECONFIG", "/k")))
                .isEqualTo(new ControllerOptions(Path.of("c.yaml"), Optional.of(Path.of("/k"))));
        assertThat(ControllerOptions.parse(new String[] {"--kubeconfig", "/x", "--config", "c.yaml"},
                Map.of("KUBECONFIG", "/k")))
                .isEqualTo(new ControllerOptions(Path.of("c.yaml"), Optional.of(Path.of("/x"))));
        assertThat(ControllerOptions.parse(new String[] {"--config", "c.yaml"}, Map.of()).kubeconfig()).isEmpty();
    }

    @Test
    void reportsEveryProblemWithTheUsage() {
        assertThatThrownBy(() -> ControllerOptions.parse(new String[] {"--verbose", "--kubeconfig"}, Map.of()))
                .hasMessageStartingWith("unknown argument '--verbose'; --kubeconfig needs a value\n")
                .hasMessageEndingWith(ControllerOptions.USAGE);
        assertThatThrownBy(() -> ControllerOptions.parse(new String[0], Map.of()))
                .hasMessageStartingWith("--config is required");
    }
}
