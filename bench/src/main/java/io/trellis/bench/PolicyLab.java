package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A one-node {@code ./trellis lab} in its own lab directory ({@code --network-policy ovs}, the default: API
 * stand-in, controller computing policies and serving the TLS policy stream, node-1 with its OVS and agent),
 * driven through the launcher as a user would; {@code close} runs {@code lab down} (twice if the first fails).
 */
final class PolicyLab implements AutoCloseable {
    static final String NODE = "node-1";
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(3);
    /** {@code ./trellis lab}'s exit code for "the lab is not up": nothing left to take down. */
    private static final int LAB_NOT_UP = 3;

    /** The lab's processes, from its lab.json and the node's OVS pid file. */
    record Pids(long apiServer, long controller, long daemon, long agent, long vswitchd) {
    }

    private final Path launcher;
    private final Path labDir;
    private volatile boolean started;
    private volatile boolean closed;

    PolicyLab(Path home, Path labDir) {
        this.launcher = requireNonNull(home, "home").resolve("trellis");
        this.labDir = requireNonNull(labDir, "labDir").toAbsolutePath().normalize();
    }

    Path dir() {
        return labDir;
    }

    synchronized void up() {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is not the Trellis launcher (not executable)");
        }
        if (closed) {
            throw new IllegalStateException("interrupted: the benchmark is being torn down");
        }
        started = true;
        System.out.println("== ./trellis lab --lab-dir " + labDir + " up --nodes 1 --network-policy ovs ==");
        HostCommand.visibleOrFail(lab("up", "--nodes", "1", "--network-policy", "ovs"), Map.of(), UP_TIMEOUT);
    }

    /** {@code lab apply -f} of {@code yaml} (written into the lab directory), waiting for its pods to run. */
    void apply(String name, String yaml) {
        Path manifest = labDir.resolve(name);
        try {
            Files.writeString(manifest, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifest, e);
        }
        HostCommand.visibleOrFail(lab("apply", "-f", manifest.toString(), "--wait", "--timeout", "180"), Map.of(),
                APPLY_TIMEOUT);
    }

    /** The pod's network namespace, as the pod itself sees it (through {@code lab exec}). */
    String netnsOf(String namespace, String pod) {
        String netns = HostCommand.capture(lab("exec", namespace + "/" + pod, "--", "ip", "netns", "identify"),
                QUERY_TIMEOUT).check().stdout().strip();
        if (netns.isEmpty() || netns.contains("\n")) {
            throw new IllegalStateException("pod " + namespace + "/" + pod + ": `ip netns identify` printed '" + netns
                    + "', expected one namespace name");
        }
        return netns;
    }

    /** A client of the lab's API stand-in (it listens on the host's loopback), as the lab's kubeconfig says. */
    KubernetesClient client() {
        try {
            Config config = Config.fromKubeconfig(Files.readString(labDir.resolve("kubeconfig")));
            config.setRequestTimeout(120_000);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lab's kubeconfig", e);
        }
    }

    Pids pids() {
        try {
            JsonNode state = new ObjectMapper().readTree(labDir.resolve("lab.json").toFile());
            long agent = -1;
            for (JsonNode node : state.path("nodes")) {
                if (node.path("name").asText().equals(NODE)) {
                    agent = node.path("agentPid").asLong(-1);
                }
            }
            long vswitchd = Long.parseLong(Files.readString(ovsDir().resolve("ovs-vswitchd.pid")).strip());
            Pids pids = new Pids(state.path("apiServerPid").asLong(-1), state.path("controllerPid").asLong(-1),
                    state.path("daemonPid").asLong(-1), agent, vswitchd);
            for (long pid : new long[] {pids.apiServer(), pids.controller(), pids.daemon(), pids.agent()}) {
                if (pid <= 0) {
                    throw new IllegalStateException("lab.json lacks a process id: " + pids);
                }
            }
            return pids;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the lab's processes from " + labDir + ": " + e.getMessage(), e);
        }
    }

    Path ovsDir() {
        return labDir.resolve("nodes").resolve(NODE).resolve("ovs");
    }

    /** The bridge's management socket; ovs-ofctl reaches it from the host namespace (it is a file). */
    Path bridgeMgmt() {
        return ovsDir().resolve("br-int.mgmt");
    }

    Path agentLog() {
        return labDir.resolve("nodes").resolve(NODE).resolve("agent.log");
    }

    Path controllerLog() {
        return labDir.resolve("controller.log");
    }

    private List<String> lab(String... args) {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "lab", "--lab-dir", labDir.toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!started) {
            return;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            System.out.println("== ./trellis lab --lab-dir " + labDir + " down ==");
            int exit = HostCommand.visible(lab("down"), Map.of(), DOWN_TIMEOUT);
            if (exit == 0 || exit == LAB_NOT_UP) {
                return;
            }
            System.err.println("warning: ./trellis lab --lab-dir " + labDir + " down exited with " + exit);
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "lab " + labDir;
    }
}
