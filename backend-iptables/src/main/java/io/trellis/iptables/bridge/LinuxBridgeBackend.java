package io.trellis.iptables.bridge;

import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The Linux bridge backend, {@code linux-bridge} in the agent configuration: pod interfaces as veth
 * pairs on a kernel bridge that holds the pods' gateway address, IPv4 forwarding and masquerade of pod
 * traffic leaving the cluster CIDR ({@link LinuxBridgePodInterfaceDriver}). Uses kernel features only:
 * no OVS. Its settings ({@code settings.linux-bridge}) are {@link BridgeSettings}.
 */
public final class LinuxBridgeBackend implements TrellisBackend {

    public static final String NAME = "linux-bridge";

    private final Object lock = new Object();
    /** The driver started for {@link #sharedFor}; guarded by lock. */
    private LinuxBridgePodInterfaceDriver shared;
    private BackendContext sharedFor;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> settingKeys() {
        return BridgeSettings.KEYS;
    }

    @Override
    public Optional<PodInterfaceDriverFactory> podInterface() {
        return Optional.of(this::podDriver);
    }

    /**
     * Removes the bridge, the pod veths on it, the {@code TRELLIS-MASQ} and {@code TRELLIS-POD-FORWARD}
     * chains with their jumps and the attachment records, in the calling thread's (the node's) namespace.
     */
    @Override
    public void uninstall(UninstallContext context) {
        BridgeSettings settings = BridgeSettings.from(context.settings());
        try (NodeNamespace node = NodeNamespace.current(Syscalls.system())) {
            BridgeNode.uninstall(settings, node, IptablesRunner.in(node, LinuxBridgePodInterfaceDriver.IPTABLES_TIMEOUT),
                    new AttachmentStore(context.stateDir()));
        }
    }

    /** The pod driver of this context, started on first use; a closed one (an earlier run) is replaced. */
    LinuxBridgePodInterfaceDriver podDriver(BackendContext context) {
        synchronized (lock) {
            if (shared == null || shared.isClosed() || !context.equals(sharedFor)) {
                shared = createDriver(context);
                sharedFor = context;
            }
            return shared;
        }
    }

    /** Reads the settings and the node's facts, then starts the driver in the agent's own namespace. */
    static LinuxBridgePodInterfaceDriver createDriver(BackendContext context) {
        BridgeSettings settings = BridgeSettings.from(context.settings());
        IpPrefix podCidr = ipv4PodCidr(context.network().podCidrs());
        settings.requireClusterContains(podCidr, context.settings().path());
        return LinuxBridgePodInterfaceDriver.start(settings, podCidr, fixedMtu(context.network().mtu()),
                context.stateDir(), NodeNamespace.current(Syscalls.system()));
    }

    /** The IPv4 pod CIDR: the bridge's gateway and the masquerade rules are IPv4 only for now. */
    static IpPrefix ipv4PodCidr(List<IpPrefix> podCidrs) {
        IpPrefix cidr = podCidrs.stream().filter(IpPrefix::isIpv4).findFirst()
                .orElseThrow(() -> new BackendConfigException("network.podCidr: the " + NAME
                        + " backend needs an IPv4 pod CIDR, got " + podCidrs));
        if (cidr.prefixLength() > 30) {
            throw new BackendConfigException("network.podCidr: " + cidr + " is too small for the " + NAME
                    + " backend: a /30 or larger holds the gateway and at least one pod");
        }
        return cidr;
    }

    static OptionalInt fixedMtu(Mtu mtu) {
        return mtu instanceof Mtu.Fixed fixed ? OptionalInt.of(fixed.value()) : OptionalInt.empty();
    }
}
