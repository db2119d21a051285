package io.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trellis.controller.testing.Eventually;
import io.trellis.controller.testing.Nodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/trellis-controller as the lab starts it: its own JVM, a kubeconfig pointing at the API stand-in. */
@EnableKubernetesMockClient(crud = true)
class LauncherIT {
    private static final Path LAUNCHER = Path.of("bin/trellis-controller").toAbsolutePath();

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
                - name: controller
                  user:
                    token: lab-token
                contexts:
                - name: lab
                  context:
                    cluster: lab
                    user: controller
                current-context: lab
                """.formatted(client.getConfiguration().getMasterUrl()));
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("KUBECONFIG");
        pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        return pb.start();
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int exit(Process p) throws InterruptedException {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("trellis-controller did not exit: " + stderr());
        }
        return p.exitValue();
    }

    @Test
    void anInvalidConfigurationExitsWith2NamingEachField() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "clusterCidr: 10.244.0.0/16\nnodeMask: 24\n");
        Process p = start("--config", config.toString(), "--kubeconfig", kubeconfig.toString());

        assertThat(exit(p)).as(stderr()).isEqualTo(2);
        assertThat(stderr()).contains("nodeMask: unknown key (known: clusterCidr, nodeCidrMaskSize, leaderElection, "
                + "agentApi)");
    }

    @Test
    void badArgumentsExitWith2AndTheUsage() throws Exception {
        Process p = start("--conf", "x");

        assertThat(exit(p)).isEqualTo(2);
        assertThat(stderr()).contains("unknown argument '--conf'").contains(ControllerOptions.USAGE);
    }

    @Test
    void allocatesAndReleasesTheLeaseOnSigterm() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), """
                clusterCidr: 10.250.0.0/16
                nodeCidrMaskSize: 25
                leaderElection:
                  identity: launcher-test
                  leaseNamespace: trellis-system
                """);
        Nodes nodes = new Nodes(client);
        nodes.create("lab-node-1");
        Process p = start("--config", config.toString(), "--kubeconfig", kubeconfig.toString());
        try {
            Eventually.until("lab-node-1 has a pod CIDR", () -> nodes.hasCidr("lab-node-1") || !p.isAlive());
            assertThat(nodes.podCidr("lab-node-1")).as(stderr()).contains("10.250.0.0/25");
            assertThat(holder()).isEqualTo("launcher-test");
            assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(15);

            p.destroy();   // SIGTERM
            assertThat(exit(p)).as(stderr()).isEqualTo(143);
            // Released on the way out (fabric8 shortens the Lease to one second from now, keeping the holder's
            // name): the next replica need not wait out the 15 s lease duration.
            assertThat(lease().getSpec().getLeaseDurationSeconds()).as(stderr()).isEqualTo(1);
            assertThat(stderr()).contains("trellis-controller stopping");
        } finally {
            p.destroyForcibly();
        }
    }

    private Lease lease() {
        return client.leases().inNamespace("trellis-system").withName("trellis-controller").get();
    }

    private String holder() {
        Lease lease = lease();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}
