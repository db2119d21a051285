package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OVS backend's settings ({@code settings.ovs} of the agent configuration), typed. The agent
 * already fills in defaults and checks cross-field rules; this class applies the same defaults and
 * rejects bad values itself, so the backend also works with a configuration built by other tools.
 *
 * @param datapathType      {@code system} (kernel module) or {@code netdev} (userspace datapath)
 * @param integrationBridge the bridge pods are attached to
 * @param uplinkBridge      the bridge holding the node's uplink (not used before multi-node support)
 * @param ovsdbSocket       ovsdb-server's Unix socket
 * @param runDir            OVS's run directory, holding each bridge's {@code <bridge>.mgmt} socket
 * @param uplinkInterface   netdev only: the physical interface for the uplink bridge
 * @param pmdCpuMask        netdev only: {@code other_config:pmd-cpu-mask} of the Open_vSwitch row
 */
public record OvsSettings(
        DatapathType datapathType, String integrationBridge, String uplinkBridge, Path ovsdbSocket, Path runDir,
        Optional<String> uplinkInterface, Optional<String> pmdCpuMask) {

    /** The keys of {@code settings.ovs}, as {@link io.trellis.spi.TrellisBackend#settingKeys()} declares them. */
    public static final Set<String> KEYS =
            Set.of("datapathType", "integrationBridge", "uplinkBridge", "ovsdbSocket", "runDir", "netdev");
    static final Set<String> NETDEV_KEYS = Set.of("uplinkInterface", "pmdCpuMask");

    static final String DEFAULT_INTEGRATION_BRIDGE = "br-int";
    static final String DEFAULT_UPLINK_BRIDGE = "br-ex";
    static final Path DEFAULT_OVSDB_SOCKET = Path.of("/var/run/openvswitch/db.sock");
    static final Path DEFAULT_RUN_DIR = Path.of("/var/run/openvswitch");

    /** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', no whitespace, not "." or "..". */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[^/\\s:]{1,15}");
    private static final Pattern HEX_MASK = Pattern.compile("(0[xX])?[0-9a-fA-F]{1,64}");

    public OvsSettings {
        requireNonNull(datapathType, "datapathType");
        requireNonNull(integrationBridge, "integrationBridge");
        requireNonNull(uplinkBridge, "uplinkBridge");
        requireNonNull(ovsdbSocket, "ovsdbSocket");
        requireNonNull(runDir, "runDir");
        requireNonNull(uplinkInterface, "uplinkInterface");
        requireNonNull(pmdCpuMask, "pmdCpuMask");
        if (integrationBridge.equals(uplinkBridge)) {
            throw new IllegalArgumentException("integration and uplink bridges must differ, both are " + uplinkBridge);
        }
        if ((uplinkInterface.isPresent() || pmdCpuMask.isPresent()) && datapathType != DatapathType.NETDEV) {
            throw new IllegalArgumentException("netdev settings need datapathType netdev, got "
                    + datapathType.ovsName());
        }
    }

    /** Defaults everywhere but the datapath: what a node with a stock OVS installation uses. */
    public static OvsSettings defaults(DatapathType datapathType) {
        return new OvsSettings(datapathType, DEFAULT_INTEGRATION_BRIDGE, DEFAULT_UPLINK_BRIDGE, DEFAULT_OVSDB_SOCKET,
                DEFAULT_RUN_DIR, Optional.empty(), Optional.empty());
    }

    /**
     * Reads the backend's section; every error is a {@link BackendConfigException} naming the
     * setting's path and quoting the value.
     */
    public static OvsSettings from(BackendSettings s) {
        requireNonNull(s, "settings");
        rejectUnknown(s, KEYS);
        String datapathName = s.string("datapathType").orElse(DatapathType.SYSTEM.ovsName());
        DatapathType datapath = Arrays.stream(DatapathType.values())
                .filter(t -> t.ovsName().equals(datapathName)).findFirst()
                .orElseThrow(() -> new BackendConfigException(s.path() + ".datapathType: expected system or netdev, got '"
                        + datapathName + "'"));
        String integration = interfaceName(s, "integrationBridge", DEFAULT_INTEGRATION_BRIDGE);
        String uplink = interfaceName(s, "uplinkBridge", DEFAULT_UPLINK_BRIDGE);
        if (integration.equals(uplink)) {
            throw new BackendConfigException(s.path() + ".uplinkBridge: must differ from integrationBridge, both are '"
                    + uplink + "'");
        }
        Path ovsdb = absolutePath(s, "ovsdbSocket", DEFAULT_OVSDB_SOCKET);
        Path run = absolutePath(s, "runDir", DEFAULT_RUN_DIR);
        Optional<String> uplinkInterface = Optional.empty();
        Optional<String> pmdMask = Optional.empty();
        Optional<BackendSettings> netdev = s.section("netdev");
        if (netdev.isPresent()) {
            if (datapath != DatapathType.NETDEV) {
                throw new BackendConfigException(s.path() + ".netdev: only valid with datapathType netdev, got '"
                        + datapath.ovsName() + "'");
            }
            BackendSettings n = netdev.get();
            rejectUnknown(n, NETDEV_KEYS);
            uplinkInterface = n.string("uplinkInterface");
            uplinkInterface.ifPresent(v -> {
                if (!INTERFACE_NAME.matcher(v).matches()) {
                    throw new BackendConfigException(n.path() + ".uplinkInterface: not an interface name: '" + v + "'");
                }
            });
            pmdMask = n.string("pmdCpuMask");
            pmdMask.ifPresent(v -> {
                if (!HEX_MASK.matcher(v).matches()) {
                    throw new BackendConfigException(n.path() + ".pmdCpuMask: expected a hex CPU mask such as 0x3, got '"
                            + v + "'");
                }
            });
        }
        return new OvsSettings(datapath, integration, uplink, ovsdb, run, uplinkInterface, pmdMask);
    }

    /** The OpenFlow management socket ovs-vswitchd opens for {@code bridge} in its run directory. */
    public Path managementSocket(String bridge) {
        return runDir.resolve(bridge + ".mgmt");
    }

    private static void rejectUnknown(BackendSettings s, Set<String> known) {
        for (String key : s.keys()) {
            if (!known.contains(key)) {
                throw new BackendConfigException(s.path() + "." + key + ": unknown setting (known: "
                        + known.stream().sorted().toList() + ")");
            }
        }
    }

    private static String interfaceName(BackendSettings s, String key, String fallback) {
        String value = s.string(key).orElse(fallback);
        if (!INTERFACE_NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new BackendConfigException(s.path() + "." + key + ": not a bridge name (1..15 characters, no '/', ':'"
                    + " or spaces): '" + value + "'");
        }
        return value;
    }

    private static Path absolutePath(BackendSettings s, String key, Path fallback) {
        Optional<String> value = s.string(key);
        if (value.isEmpty()) {
            return fallback;
        }
        Path path = Path.of(value.get());
        if (!path.isAbsolute()) {
            throw new BackendConfigException(s.path() + "." + key + ": must be an absolute path, got '" + value.get() + "'");
        }
        return path;
    }
}
