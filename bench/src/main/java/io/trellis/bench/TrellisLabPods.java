package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trellis: a two-node lab ({@code ./trellis lab --lab-dir DIR up --nodes 2 --backend B}: API stand-in,
 * controller, a node namespace per node with the agent and the backend's data plane, the overlay between
 * them: with {@code ovs} an OVS per node and Geneve, with {@code iptables} a Linux bridge and kernel VXLAN)
 * in its own lab directory, with two pods pinned by {@code spec.nodeName} to node-1 (client) and node-2 (server), created
 * through the lab kubelet and trellis-cni like any other pod. {@code close} runs {@code lab down}.
 */
final class TrellisLabPods implements TwoNodePods {
    static final String NAMESPACE = "overlay-bench";
    static final String CLIENT = "iperf-client";
    static final String SERVER = "iperf-server";
    static final String CLIENT_NODE = "node-1";
    static final String SERVER_NODE = "node-2";
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(3);
    /** {@code ./trellis lab}'s exit code for "the lab is not up": nothing left to take down. */
    private static final int LAB_NOT_UP = 3;

    private final Path launcher;
    private final Path labDir;
    private final String backend;
    // start() runs on the main thread; close() may come from the shutdown hook while start() is still running.
    private volatile boolean started;
    private volatile boolean closed;

    /** {@code backend}: the lab's {@code --backend} ({@code ovs} or {@code iptables}). */
    TrellisLabPods(Path home, Path labDir, String backend) {
        this.launcher = requireNonNull(home, "home").resolve("trellis");
        this.labDir = requireNonNull(labDir, "labDir").toAbsolutePath().normalize();
        this.backend = requireNonNull(backend, "backend");
        if (!backend.equals("ovs") && !backend.equals("iptables")) {
            throw new IllegalArgumentException("backend: ovs or iptables, got '" + backend + "'");
        }
    }

    @Override
    public String name() {
        return "trellis-" + backend;
    }

    /** The manifest: one namespace and the two pinned pods, each with the lab's built-in workload. */
    static String manifest() {
        return """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %1$s
                ---
                %2$s
                ---
                %3$s
                """.formatted(NAMESPACE, pod(CLIENT, CLIENT_NODE), pod(SERVER, SERVER_NODE));
    }

    private static String pod(String name, String node) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  nodeName: %s
                  containers:
                  - name: workload
                    image: trellis-lab/builtin""".formatted(name, NAMESPACE, node);
    }

    @Override
    public PodPair start() {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is not the Trellis launcher (not executable)");
        }
        started = true;
        if (closed) {
            throw new IllegalStateException("interrupted: the benchmark is being torn down");
        }
        System.out.println("== " + name() + ": ./trellis lab --lab-dir " + labDir + " up --nodes 2 --backend " + backend
                + " ==");
        HostCommand.visibleOrFail(lab("up", "--nodes", "2", "--backend", backend), Map.of(), UP_TIMEOUT);
        Path manifest = labDir.resolve("overlay-bench-pods.yaml");
        try {
            Files.writeString(manifest, manifest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifest, e);
        }
        HostCommand.visibleOrFail(lab("apply", "-f", manifest.toString(), "--wait", "--timeout", "180"), Map.of(),
                APPLY_TIMEOUT);
        String pods = HostCommand.capture(lab("get", "pods"), QUERY_TIMEOUT).check().stdout();
        expectNode(pods, CLIENT, CLIENT_NODE);
        expectNode(pods, SERVER, SERVER_NODE);
        return new PodPair(PodEndpoint.read(netnsOf(CLIENT)), PodEndpoint.read(netnsOf(SERVER)));
    }

    /** The pod's network namespace, as the pod itself sees it (through {@code lab exec}). */
    private String netnsOf(String pod) {
        String netns = HostCommand.capture(lab("exec", NAMESPACE + "/" + pod, "--", "ip", "netns", "identify"),
                QUERY_TIMEOUT).check().stdout().strip();
        if (netns.isEmpty() || netns.contains("\n")) {
            throw new IllegalStateException("pod " + NAMESPACE + "/" + pod + ": `ip netns identify` printed '" + netns
                    + "', expected one namespace name");
        }
        return netns;
    }

    /** Checks the NODE column of {@code lab get pods} (NAMESPACE NAME NODE IP STATUS) for the pod. */
    static void expectNode(String getPodsTable, String pod, String node) {
        for (String line : getPodsTable.split("\n")) {
            String[] cols = line.strip().split("\\s+");
            if (cols.length >= 5 && cols[0].equals(NAMESPACE) && cols[1].equals(pod)) {
                if (!cols[2].equals(node) || !cols[4].equals("Running")) {
                    throw new IllegalStateException("pod " + NAMESPACE + "/" + pod + " is " + cols[4] + " on " + cols[2]
                            + ", expected Running on " + node);
                }
                return;
            }
        }
        throw new IllegalStateException("pod " + NAMESPACE + "/" + pod + " not in `lab get pods`:\n" + getPodsTable);
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
            return; // nothing was created
        }
        // A second try when the first fails: down is idempotent, and a lab left up holds namespaces and daemons.
        for (int attempt = 1; attempt <= 2; attempt++) {
            System.out.println("== " + name() + ": ./trellis lab --lab-dir " + labDir + " down ==");
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
}
