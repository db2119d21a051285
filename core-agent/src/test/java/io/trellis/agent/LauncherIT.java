package io.trellis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/trellis-agent as the lab will start it: its own JVM on the packaged class path, so the
 * backends found are the shipped ones (host-local, ovs; iptables, linux-bridge, vxlan), and a kubeconfig pointing at the API
 * stand-in. No test reaches the OVS backend's factory (that needs OVS): they stop before it.
 */
@EnableKubernetesMockClient(crud = true)
class LauncherIT {
    private static final Path LAUNCHER = Path.of("bin/trellis-agent").toAbsolutePath();

    KubernetesClient client;
    @TempDir
    Path dir;
    private Path kubeconfig;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(LAUNCHER).isExecutable();
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: lab
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                users:
                - name: agent
                  user:
                    token: lab-token
                contexts:
                - name: lab
                  context:
                    cluster: lab
                    user: agent
                current-context: lab
                """.formatted(client.getConfiguration().getMasterUrl()));
    }

    private Path config(String backends) throws IOException {
        Path file = dir.resolve("trellis-agent.yaml");
        Files.writeString(file, """
                nodeName:
                  from: fixed
                  value: lab-node
                backends:
                %s
                network:
                  mtu: 1400
                paths:
                  stateDir: %s
                  runDir: %s
                  cniSocket: %s
                """.formatted(backends.indent(2).stripTrailing(), dir.resolve("state"), dir.resolve("run"), socket()));
        return file;
    }

    private Path socket() {
        return dir.resolve("run/cni.sock");
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("KUBECONFIG");
        pb.redirectOutput(dir.resolve("agent.out").toFile()).redirectError(dir.resolve("agent.err").toFile());
        return pb.start();
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("agent.err"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int exit(Process p) throws InterruptedException {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("trellis-agent did not exit: " + stderr());
        }
        return p.exitValue();
    }

    @Test
    void anInvalidConfigurationExitsWith2ListingEveryProblemAndTheShippedBackends() throws Exception {
        Path file = config("ipam: host-local\npodInterface: ovz\nserviceProxy: kube-proxy");
        Process p = start("--config", file.toString(), "--kubeconfig", kubeconfig.toString());
        assertThat(exit(p)).as(stderr()).isEqualTo(2);
        assertThat(stderr()).contains("invalid agent configuration " + file)
                .contains("backends.podInterface: unknown backend 'ovz' (available: host-local, iptables, linux-bridge, ovs, vxlan)")
                .contains("backends.serviceProxy: unknown backend 'kube-proxy' (available: host-local, iptables, linux-bridge, ovs, vxlan)");
        assertThat(socket()).doesNotExist();
    }

    @Test
    void badArgumentsExitWith2AndTheUsage() throws Exception {
        Process p = start("--conf", "x");
        assertThat(exit(p)).isEqualTo(2);
        assertThat(stderr()).contains("unknown argument '--conf'").contains(AgentOptions.USAGE);
    }

    @Test
    void aNodeThatNeverAppearsIsAFatalErrorAfterTheTimeout() throws Exception {
        Process p = start("--config", config("ipam: host-local\npodInterface: ovs\nnodeRoutes: none").toString(),
                "--kubeconfig", kubeconfig.toString(), "--node-timeout", "2");
        assertThat(exit(p)).as(stderr()).isEqualTo(1);
        assertThat(stderr()).contains("CNI server listening on " + socket())
                .contains("trellis-agent: start-up failed: gave up after 2 s: Node lab-node does not exist yet");
        assertThat(socket()).doesNotExist();
    }

    @Test
    void sigtermWhileWaitingForTheNodeStopsCleanly() throws Exception {
        Process p = start("--config", config("ipam: host-local\npodInterface: ovs\nnodeRoutes: none").toString(),
                "--kubeconfig", kubeconfig.toString(), "--node-timeout", "120");
        CompletableFuture<Void> socketUp = CompletableFuture.runAsync(() -> {
            while (!Files.exists(socket()) && p.isAlive()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        socketUp.get(60, TimeUnit.SECONDS);
        assertThat(p.isAlive()).as(stderr()).isTrue();
        p.destroy();   // SIGTERM
        exit(p);
        assertThat(stderr()).contains("stop requested");
        assertThat(socket()).as("the CNI socket is removed on stop").doesNotExist();
    }
}
