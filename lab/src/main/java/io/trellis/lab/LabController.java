package io.trellis.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The lab's Trellis central controller (controller/bin/trellis-controller): a host process talking to the lab's
 * API server, allocating every Node's pod CIDR from {@link #CLUSTER_CIDR}. Its configuration is written into the
 * lab directory, so its command line names the lab directory (as {@link Processes} requires).
 */
public final class LabController {
    public static final String CLUSTER_CIDR = "10.244.0.0/16";
    public static final int NODE_CIDR_MASK_SIZE = 24;
    /**
     * A fixed Lease holder identity: a controller started again after a crash (kill -9) finds the Lease still
     * held under its own name and takes it at once instead of waiting for it to expire.
     */
    static final String IDENTITY = "trellis-lab-controller";
    /** The controller logs this once it leads and watches Nodes (NodeIpamController). */
    static final String READY_LOG_LINE = "watching Nodes to allocate pod CIDRs";

    private final LabPaths paths;
    private final Processes processes;

    public LabController(LabPaths paths, Processes processes) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.processes = Objects.requireNonNull(processes, "processes");
    }

    /**
     * Writes the configuration and starts the controller detached; its pid. With {@code agentApiPort} &gt; 0 the
     * controller also serves the agents' policy stream on 127.0.0.1 at that port (TLS, the lab's credentials).
     */
    public long start(Path home, int agentApiPort) {
        Path launcher = home.resolve("controller/bin/trellis-controller");
        writeConfig(agentApiPort);
        List<String> command = List.of(launcher.toString(), "--config", paths.controllerConfig().toString(),
                "--kubeconfig", paths.kubeconfig().toString());
        return processes.startDetached(command, paths.controllerLog(),
                Map.of("TRELLIS_CONTROLLER_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC"));
    }

    /** SIGTERM (the controller releases its Lease), SIGKILL after a grace period. */
    public void stop(long pid) {
        processes.stop(pid, Duration.ofSeconds(10));
    }

    void writeConfig(int agentApiPort) {
        String yaml = """
                # Written by `trellis lab up`: the lab's Trellis controller (see config/trellis-controller.yaml).
                clusterCidr: %s
                nodeCidrMaskSize: %d
                leaderElection:
                  identity: %s
                  leaseNamespace: kube-system
                  leaseName: trellis-controller
                  leaseDuration: 15s
                  renewDeadline: 10s
                  retryPeriod: 2s
                """.formatted(CLUSTER_CIDR, NODE_CIDR_MASK_SIZE, IDENTITY);
        if (agentApiPort > 0) {
            // The host's loopback only: the lab daemon forwards the port into every node namespace.
            yaml += """
                    agentApi:
                      listen: 127.0.0.1:%d
                      certificateFile: %s
                      privateKeyFile: %s
                      agentTokenSecretFile: %s
                    """.formatted(agentApiPort, paths.serverCertificate(), paths.serverKey(), paths.agentTokenSecret());
        }
        try {
            Files.createDirectories(paths.root());
            Files.writeString(paths.controllerConfig(), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + paths.controllerConfig() + ": " + e.getMessage(), e);
        }
    }
}
