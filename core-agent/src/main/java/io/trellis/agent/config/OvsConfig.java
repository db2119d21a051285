package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.BackendSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Open vSwitch backend's section ({@code settings.ovs}), which the agent reads itself because
 * it describes the node's OVS installation and has rules that span fields.
 *
 * @param datapathType      kernel ({@code system}) or userspace ({@code netdev}) datapath
 * @param integrationBridge the bridge pods are attached to
 * @param uplinkBridge      the bridge holding the node's uplink, for traffic leaving the node
 * @param ovsdbSocket       ovsdb-server's Unix socket
 * @param runDir            OVS's run directory, where {@code <bridge>.mgmt} OpenFlow sockets live
 * @param netdev            userspace-datapath settings; present only with {@code netdev}
 */
public record OvsConfig(
        DatapathType datapathType, String integrationBridge, String uplinkBridge, Path ovsdbSocket, Path runDir,
        Optional<NetdevOptions> netdev) {
    public OvsConfig {
        requireNonNull(datapathType, "datapathType");
        requireNonNull(integrationBridge, "integrationBridge");
        requireNonNull(uplinkBridge, "uplinkBridge");
        requireNonNull(ovsdbSocket, "ovsdbSocket");
        requireNonNull(runDir, "runDir");
        requireNonNull(netdev, "netdev");
        if (integrationBridge.equals(uplinkBridge)) {
            throw new IllegalArgumentException("integration and uplink bridges must differ, both are " + uplinkBridge);
        }
        if (netdev.isPresent() && datapathType != DatapathType.NETDEV) {
            throw new IllegalArgumentException("netdev settings need datapathType netdev, got " + datapathType.configName());
        }
    }

    /**
     * This section as the OVS backend receives it in its {@link io.trellis.spi.BackendContext}: every
     * key with its effective value, under the same names as in the file.
     */
    public BackendSettings toSettings(String path) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("datapathType", datapathType.configName());
        map.put("integrationBridge", integrationBridge);
        map.put("uplinkBridge", uplinkBridge);
        map.put("ovsdbSocket", ovsdbSocket.toString());
        map.put("runDir", runDir.toString());
        netdev.ifPresent(n -> {
            Map<String, Object> nd = new LinkedHashMap<>();
            n.uplinkInterface().ifPresent(v -> nd.put("uplinkInterface", v));
            n.pmdCpuMask().ifPresent(v -> nd.put("pmdCpuMask", v));
            map.put("netdev", nd);
        });
        return BackendSettings.of(path, map);
    }

    /** The OpenFlow management socket of {@code bridge}, which ovs-vswitchd creates in its run directory. */
    public Path managementSocket(String bridge) {
        return runDir.resolve(bridge + ".mgmt");
    }
}
