package io.trellis.iptables.vxlan;

import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.node.NodeRouteDriverFactory;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code vxlan} backend: node routes over a kernel VXLAN device, or plain routes to nodes on a
 * shared subnet with {@code settings.vxlan.hostGateway: true} ({@link VxlanNodeRouteDriver}). Works
 * with any pod interface backend that routes pod traffic through the node's kernel (linux-bridge).
 *
 * <pre>
 * settings:
 *   vxlan:
 *     hostGateway: false      # true: plain routes to nodes on a directly connected subnet
 *     vni: 1                  # 0..16777215, the same on every node
 *     port: 4789              # UDP port, the same on every node
 *     device: trellis.vxlan   # at most 15 bytes
 * </pre>
 */
public final class VxlanBackend implements TrellisBackend {

    public static final String NAME = "vxlan";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> settingKeys() {
        return VxlanSettings.KEYS;
    }

    /** The driver works in the agent's own network namespace, the node's. */
    @Override
    public Optional<NodeRouteDriverFactory> nodeRoutes() {
        return Optional.of(context -> {
            VxlanSettings settings = VxlanSettings.from(context.settings());
            IpPrefix podCidr = ipv4PodCidr(context);
            return new VxlanNodeRouteDriver(RtNetlink.open(Syscalls.system()), settings, podCidr);
        });
    }

    /** Deletes the VXLAN device and this backend's routes in the calling thread's namespace ({@link VxlanCleanup}). */
    @Override
    public void uninstall(UninstallContext context) {
        VxlanSettings settings = VxlanSettings.from(context.settings());
        try (RtNetlink rtnl = RtNetlink.open(Syscalls.system())) {
            VxlanCleanup.run(rtnl, settings);
        }
    }

    static IpPrefix ipv4PodCidr(BackendContext context) {
        return context.network().podCidrs().stream().filter(IpPrefix::isIpv4).findFirst()
                .orElseThrow(() -> new BackendConfigException("network.podCidr: the vxlan backend needs an IPv4 pod CIDR, got "
                        + context.network().podCidrs()));
    }
}
