package io.trellis.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The data plane a lab's agents run ({@code lab up --backend}): which backend serves each concern, what the node
 * namespaces need besides the agent, and which overlays and NetworkPolicy modes go with it.
 */
public enum LabBackend {
    /**
     * Everything in OVS ({@code backends: ovs}): each node runs its own ovsdb-server and ovs-vswitchd (userspace
     * datapath); Geneve or VXLAN tunnels of OVS between the nodes.
     */
    OVS("ovs", true, List.of("geneve", "vxlan"), "ovs", "ovs", "ovs", Optional.of("ovs")),
    /**
     * Kernel features only (backend-iptables): pods on a Linux bridge ({@code linux-bridge}), node routes over a
     * kernel VXLAN device ({@code vxlan}), Services and NetworkPolicy in iptables ({@code iptables}); no OVS in
     * the node namespaces.
     */
    IPTABLES("iptables", false, List.of("vxlan"), "linux-bridge", "vxlan", "iptables", Optional.of("iptables"));

    private final String configName;
    private final boolean runsOvs;
    private final List<String> tunnelTypes;
    private final String podInterface;
    private final String nodeRoutes;
    private final String serviceProxy;
    private final Optional<String> policyEnforcer;

    LabBackend(String configName, boolean runsOvs, List<String> tunnelTypes, String podInterface, String nodeRoutes,
               String serviceProxy, Optional<String> policyEnforcer) {
        this.configName = configName;
        this.runsOvs = runsOvs;
        this.tunnelTypes = List.copyOf(tunnelTypes);
        this.podInterface = podInterface;
        this.nodeRoutes = nodeRoutes;
        this.serviceProxy = serviceProxy;
        this.policyEnforcer = policyEnforcer;
    }

    /** Its name on the command line and in lab.json: ovs, iptables. */
    public String configName() {
        return configName;
    }

    /** Whether every node runs its own ovsdb-server and ovs-vswitchd. */
    public boolean runsOvs() {
        return runsOvs;
    }

    /** The overlays between the nodes it offers ({@code --tunnel}); the first is the default. */
    public List<String> tunnelTypes() {
        return tunnelTypes;
    }

    public String defaultTunnel() {
        return tunnelTypes.get(0);
    }

    /** {@code backends.podInterface} of the agents. */
    public String podInterface() {
        return podInterface;
    }

    /** {@code backends.nodeRoutes} of the agents. */
    public String nodeRoutes() {
        return nodeRoutes;
    }

    /** {@code backends.serviceProxy} of the agents: a backend name or {@code none}. */
    public String serviceProxy() {
        return serviceProxy;
    }

    /** The policy enforcer's backend name ({@code backends.policy}), if this data plane has one yet. */
    public Optional<String> policyEnforcer() {
        return policyEnforcer;
    }

    /** The {@code --network-policy} modes it accepts: its enforcer's name (when it has one) and none. */
    public List<String> networkPolicyModes() {
        List<String> modes = new ArrayList<>();
        policyEnforcer.ifPresent(modes::add);
        modes.add(LabState.NO_NETWORK_POLICY);
        return List.copyOf(modes);
    }

    /** Enforced when the backend can, else none. */
    public String defaultNetworkPolicy() {
        return policyEnforcer.orElse(LabState.NO_NETWORK_POLICY);
    }

    /**
     * Checks a {@code --network-policy} mode against this backend; the message says what is possible.
     */
    public void requireNetworkPolicyMode(String mode) {
        Objects.requireNonNull(mode, "mode");
        if (networkPolicyModes().contains(mode)) {
            return;
        }
        throw new LabException(2, "--network-policy must be one of " + networkPolicyModes() + " with --backend "
                + configName + ", got '" + mode + "'");
    }

    /** Checks a {@code --tunnel} type against this backend. */
    public void requireTunnelType(String tunnelType) {
        Objects.requireNonNull(tunnelType, "tunnelType");
        if (!tunnelTypes.contains(tunnelType)) {
            throw new LabException(2, "--tunnel must be one of " + tunnelTypes + " with --backend " + configName
                    + ", got '" + tunnelType + "'");
        }
    }

    /** The backend named {@code name}; exit code 2 naming the choices otherwise. */
    public static LabBackend named(String name) {
        Objects.requireNonNull(name, "name");
        return find(name).orElseThrow(() -> new LabException(2, "--backend must be one of " + names() + ", got '"
                + name + "'"));
    }

    public static Optional<LabBackend> find(String name) {
        return Arrays.stream(values()).filter(b -> b.configName.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(LabBackend::configName).toList();
    }
}
