package io.trellis.lab;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a lab has started, saved in lab.json as it goes, so that {@code down} can remove everything even
 * after a crash half-way through {@code up}.
 *
 * @param prefix        the lab's unique prefix: every namespace (and any link in the host) it creates starts
 *                      with it followed by '-'
 * @param home          the Trellis source tree the lab runs from (executables)
 * @param backend       the data plane the agents run ({@link LabBackend}): ovs or iptables; a lab.json written
 *                      before there was a choice has none and reads as ovs
 * @param tunnelType    the overlay encapsulation the agents use between nodes: geneve or vxlan (iptables: vxlan)
 * @param apiServerPid  the API stand-in's process, 0 before it started
 * @param controllerPid the Trellis controller's process (node pod CIDRs), 0 before it started
 * @param daemonPid     the lab daemon's process (kubelet, scheduler, workload), 0 before it started
 * @param networkPolicy how the agents enforce NetworkPolicy: a policy enforcer's backend name, e.g. {@code ovs} (the
 *                      controller serves the policy stream to the agents over TLS on {@code agentApiPort}), or
 *                      {@code none} (no policy channel at all)
 * @param agentApiPort  the controller's agent API port on the host's loopback, forwarded to the same address in
 *                      every node namespace; 0 with network policy {@code none}
 * @param nodes         the nodes, in order
 */
public record LabState(String prefix, Path home, String backend, String tunnelType, long apiServerPid,
                       long controllerPid, long daemonPid, String networkPolicy, int agentApiPort, List<NodeState> nodes) {
    public static final List<String> TUNNEL_TYPES = List.of("geneve", "vxlan");
    public static final String NO_NETWORK_POLICY = "none";
    /** Every mode some backend accepts ({@link LabBackend#networkPolicyModes()} says which go with which). */
    public static final List<String> NETWORK_POLICY_MODES = List.of("ovs", "iptables", NO_NETWORK_POLICY);

    /**
     * One lab node. Its pod CIDR is not here: the controller allocates it, and the Node object holds it.
     *
     * @param name       the Node object's name
     * @param netns      its network namespace
     * @param internalIp the node's address on the lab's underlay
     * @param agentPid   the agent's process, 0 before it started
     */
    public record NodeState(String name, String netns, String internalIp, long agentPid) {
        public NodeState {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(netns, "netns");
            Objects.requireNonNull(internalIp, "internalIp");
        }

        public NodeState withAgentPid(long pid) {
            return new NodeState(name, netns, internalIp, pid);
        }
    }

    public LabState {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(home, "home");
        if (backend == null) {
            backend = LabBackend.OVS.configName();   // a lab.json written before the choice: `down` must still read it
        }
        if (LabBackend.find(backend).isEmpty()) {
            throw new IllegalArgumentException("backend must be one of " + LabBackend.names() + ", got '" + backend + "'");
        }
        Objects.requireNonNull(tunnelType, "tunnelType");
        if (!TUNNEL_TYPES.contains(tunnelType)) {
            throw new IllegalArgumentException("tunnelType must be one of " + TUNNEL_TYPES + ", got '" + tunnelType + "'");
        }
        if (networkPolicy == null) {
            networkPolicy = NO_NETWORK_POLICY;   // a lab.json written before network policy existed: `down` must still read it
        }
        if (!NETWORK_POLICY_MODES.contains(networkPolicy)) {
            throw new IllegalArgumentException("networkPolicy must be one of " + NETWORK_POLICY_MODES + ", got '"
                    + networkPolicy + "'");
        }
        boolean enforced = !networkPolicy.equals(NO_NETWORK_POLICY);
        if (agentApiPort < 0 || agentApiPort > 65535 || enforced != (agentApiPort > 0)) {
            throw new IllegalArgumentException("agentApiPort " + agentApiPort + " does not fit networkPolicy "
                    + networkPolicy + " (a port 1-65535 with an enforcer, 0 with none)");
        }
        nodes = List.copyOf(nodes);
    }

    /** {@link #backend()} as the enum. */
    public LabBackend labBackend() {
        return LabBackend.named(backend);
    }

    public String underlayNetns() {
        return prefix + "-underlay";
    }

    /** A client outside the cluster on the underlay ({@link Lab#OUTSIDE_IP}), for node ports and external IPs. */
    public String outsideNetns() {
        return prefix + "-outside";
    }

    public LabState withApiServerPid(long pid) {
        return new LabState(prefix, home, backend, tunnelType, pid, controllerPid, daemonPid, networkPolicy, agentApiPort, nodes);
    }

    public LabState withControllerPid(long pid) {
        return new LabState(prefix, home, backend, tunnelType, apiServerPid, pid, daemonPid, networkPolicy, agentApiPort, nodes);
    }

    public LabState withDaemonPid(long pid) {
        return new LabState(prefix, home, backend, tunnelType, apiServerPid, controllerPid, pid, networkPolicy, agentApiPort, nodes);
    }

    public LabState withNode(NodeState node) {
        List<NodeState> updated = new ArrayList<>();
        boolean replaced = false;
        for (NodeState n : nodes) {
            if (n.name().equals(node.name())) {
                updated.add(node);
                replaced = true;
            } else {
                updated.add(n);
            }
        }
        if (!replaced) {
            updated.add(node);
        }
        return new LabState(prefix, home, backend, tunnelType, apiServerPid, controllerPid, daemonPid, networkPolicy, agentApiPort, updated);
    }

    public Optional<NodeState> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public void save(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".lab", ".tmp");
            Files.writeString(tmp, Serialization.asJson(this));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static Optional<LabState> load(Path file) {
        try {
            return Optional.of(Serialization.unmarshal(Files.readString(file), LabState.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
