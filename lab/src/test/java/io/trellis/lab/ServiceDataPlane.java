package io.trellis.lab;

import io.trellis.lab.LabState.NodeState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a node's Service proxy programmed, as its backend shows it, for the Service suites' failure descriptions
 * (a suite itself asserts only through connections): br-int's flows for ovs, iptables-save for iptables.
 */
final class ServiceDataPlane {
    private final Path labDir;
    private final String backend;
    private final Shell shell = new Shell();

    ServiceDataPlane(Path labDir, String backend) {
        this.labDir = Objects.requireNonNull(labDir, "labDir");
        this.backend = Objects.requireNonNull(backend, "backend");
        if (!List.of("ovs", "iptables").contains(backend)) {
            throw new IllegalArgumentException("backend: no Service data plane known for " + backend);
        }
    }

    /** The node's Service rules; an error text instead when they cannot be read (never fails the caller). */
    String of(NodeState node) {
        List<String> command = backend.equals("ovs")
                ? Shell.inNetns(node.netns(), "ovs-ofctl", "-O", "OpenFlow15", "dump-flows",
                        "unix:" + labDir.resolve("nodes").resolve(node.name()).resolve("ovs").resolve("br-int.mgmt"))
                : Shell.inNetns(node.netns(), "iptables-save");
        Shell.Result result = shell.run(command, Map.of());
        return result.ok() ? result.stdout() : "(" + String.join(" ", command) + " failed: " + result.stderr() + ")";
    }

    /** The lines of {@link #of} naming {@code address} (at most 60, to keep a failure message readable). */
    String naming(NodeState node, String address) {
        return String.join("\n", of(node).lines().filter(l -> l.contains(address)).limit(60).toList());
    }

    /** {@link #naming} for each node, headed by the node's name. */
    String describe(List<NodeState> nodes, String address) {
        StringBuilder text = new StringBuilder("\n" + backend + " rules naming " + address + ":");
        for (NodeState node : nodes) {
            text.append("\n--- ").append(node.name()).append('\n').append(naming(node, address));
        }
        return text.toString();
    }
}
