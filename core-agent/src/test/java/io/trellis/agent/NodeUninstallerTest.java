package io.trellis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.config.ConfigException;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.ipam.IpamDriverFactory;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeUninstallerTest {

    /** A backend that records its uninstall calls, or fails them. */
    private static final class Recording implements TrellisBackend {
        private final String name;
        private final boolean fail;
        final List<UninstallContext> calls = new ArrayList<>();

        Recording(String name, boolean fail) {
            this.name = name;
            this.fail = fail;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> settingKeys() {
            return Set.of("bridge");
        }

        @Override
        public Optional<IpamDriverFactory> ipam() {
            return Optional.of(context -> {
                throw new AssertionError("uninstall must not create drivers");
            });
        }

        @Override
        public Optional<PodInterfaceDriverFactory> podInterface() {
            return Optional.of(context -> {
                throw new AssertionError("uninstall must not create drivers");
            });
        }

        @Override
        public void uninstall(UninstallContext context) {
            calls.add(context);
            if (fail) {
                throw new IllegalStateException("ovsdb-server is not running");
            }
        }
    }

    @TempDir
    Path dir;

    private Path config(String ipam, String pods) throws IOException {
        return Files.writeString(dir.resolve("agent.yaml"), """
                backends:
                  ipam: %s
                  podInterface: %s
                paths:
                  stateDir: %s
                  runDir: %s
                  cniSocket: %s
                settings:
                  %s:
                    bridge: br-x
                """.formatted(ipam, pods, dir.resolve("state"), dir.resolve("run"), dir.resolve("cni.sock"), pods));
    }

    @Test
    void everyUsedBackendUninstallsOnceWithItsSettingsAndDirectories() throws IOException {
        Recording pods = new Recording("pods", false);
        Recording ipam = new Recording("ipam", false);
        Recording unused = new Recording("unused", false);
        List<String> failed = new NodeUninstaller(BackendRegistry.of(List.of(pods, ipam, unused)))
                .uninstall(config("ipam", "pods"));

        assertThat(failed).isEmpty();
        assertThat(unused.calls).isEmpty();
        assertThat(ipam.calls).hasSize(1);
        assertThat(pods.calls).singleElement().satisfies(c -> {
            assertThat(c.backendName()).isEqualTo("pods");
            assertThat(c.settings().string("bridge")).contains("br-x");
            assertThat(c.stateDir()).isEqualTo(dir.resolve("state/backends/pods"));
            assertThat(c.runDir()).isEqualTo(dir.resolve("run/backends/pods"));
        });
    }

    @Test
    void aBackendThatServesTwoConcernsUninstallsOnce() throws IOException {
        Recording both = new Recording("both", false);
        assertThat(new NodeUninstaller(BackendRegistry.of(List.of(both))).uninstall(config("both", "both"))).isEmpty();
        assertThat(both.calls).hasSize(1);
    }

    @Test
    void aFailureIsReportedAndTheOtherBackendsStillRun() throws IOException {
        Recording pods = new Recording("pods", true);
        Recording ipam = new Recording("ipam", false);
        List<String> failed = new NodeUninstaller(BackendRegistry.of(List.of(pods, ipam))).uninstall(config("ipam", "pods"));
        assertThat(failed).containsExactly("pods: ovsdb-server is not running");
        assertThat(ipam.calls).hasSize(1);
    }

    @Test
    void anInvalidConfigurationIsAConfigError() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "backends:\n  ipam: nope\n  podInterface: pods\n");
        Recording pods = new Recording("pods", false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        new NodeUninstaller(BackendRegistry.of(List.of(pods))).uninstall(bad))
                .isInstanceOf(ConfigException.class).hasMessageContaining("backends.ipam");
        assertThat(pods.calls).isEmpty();
    }

    @Test
    void theCommandLineRunsTheUninstallWithoutAnApiServer() throws IOException {
        // The shipped backends (stubs on the unit-test class path) take no uninstall action; a missing
        // config file is reported with exit code 2 before anything runs.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TrellisAgent.run(new String[] {"--uninstall", "--config", dir.resolve("missing.yaml").toString()},
                java.util.Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(TrellisAgent.EXIT_CONFIG);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.yaml");
        assertThat(AgentOptions.parse(new String[] {"--uninstall", "--config", "/c"}, java.util.Map.of()).uninstall())
                .isTrue();
    }
}
