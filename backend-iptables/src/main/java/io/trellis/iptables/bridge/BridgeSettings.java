package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.InterfaceName;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.model.IpPrefix;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code settings.linux-bridge} section of the agent configuration.
 *
 * @param bridge      the Linux bridge the pods are attached to, which also holds their gateway address
 * @param clusterCidr the addresses of every node's pods (the controller's {@code clusterCidr}): pod traffic
 *                    to them keeps its source address; empty: only this node's pod CIDR does, which is
 *                    right for a single node only (traffic to other nodes' pods would be masqueraded)
 * @param masquerade  whether pod traffic leaving the cluster CIDR gets the node's address as source
 */
public record BridgeSettings(String bridge, Optional<IpPrefix> clusterCidr, boolean masquerade) {

    public static final String BRIDGE = "bridge";
    public static final String CLUSTER_CIDR = "clusterCidr";
    public static final String MASQUERADE = "masquerade";
    /** The keys {@code settings.linux-bridge} accepts. */
    public static final Set<String> KEYS = Set.of(BRIDGE, CLUSTER_CIDR, MASQUERADE);
    public static final String DEFAULT_BRIDGE = "trellis0";

    public BridgeSettings {
        requireNonNull(bridge, "bridge");
        requireNonNull(clusterCidr, "clusterCidr");
        InterfaceName.check(bridge);
        clusterCidr.ifPresent(c -> {
            if (!c.isIpv4()) {
                throw new IllegalArgumentException("clusterCidr must be an IPv4 CIDR, got " + c);
            }
        });
    }

    /** The defaults: bridge {@value #DEFAULT_BRIDGE}, no cluster CIDR, masquerade on. */
    public static BridgeSettings defaults() {
        return new BridgeSettings(DEFAULT_BRIDGE, Optional.empty(), true);
    }

    /** Reads the section; errors name the setting's path and quote the value. */
    public static BridgeSettings from(BackendSettings settings) {
        requireNonNull(settings, "settings");
        String bridge = settings.string(BRIDGE).orElse(DEFAULT_BRIDGE);
        try {
            InterfaceName.check(bridge);
        } catch (IllegalArgumentException e) {
            throw new BackendConfigException(settings.path() + "." + BRIDGE + ": '" + bridge
                    + "' is not a valid interface name (" + e.getMessage() + ")");
        }
        Optional<IpPrefix> clusterCidr = settings.string(CLUSTER_CIDR).map(text -> {
            IpPrefix cidr;
            try {
                cidr = IpPrefix.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BackendConfigException(settings.path() + "." + CLUSTER_CIDR + ": '" + text
                        + "' is not a CIDR (" + e.getMessage() + ")");
            }
            if (!cidr.isIpv4()) {
                throw new BackendConfigException(settings.path() + "." + CLUSTER_CIDR + ": '" + text
                        + "' is not an IPv4 CIDR (the linux-bridge backend masquerades IPv4 only)");
            }
            return cidr;
        });
        boolean masquerade = settings.bool(MASQUERADE).orElse(true);
        return new BridgeSettings(bridge, clusterCidr, masquerade);
    }

    /**
     * Checks the cluster CIDR against this node's pod CIDR: it must contain it, or pod-to-pod traffic
     * on this very node would be masqueraded.
     *
     * @param settingsPath the section's path, for the message ({@code settings.linux-bridge})
     */
    public void requireClusterContains(IpPrefix podCidr, String settingsPath) {
        requireNonNull(podCidr, "podCidr");
        clusterCidr.ifPresent(cluster -> {
            if (cluster.prefixLength() > podCidr.prefixLength() || !cluster.contains(podCidr.network())) {
                throw new BackendConfigException(settingsPath + "." + CLUSTER_CIDR + ": " + cluster
                        + " does not contain this node's pod CIDR " + podCidr);
            }
        });
    }
}
