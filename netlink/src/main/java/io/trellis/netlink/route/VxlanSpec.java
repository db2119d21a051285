package io.trellis.netlink.route;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A VXLAN device (drivers/net/vxlan): VNI, optional local (source) address and underlay device, UDP
 * destination port, and MAC learning (off when a control plane programs the FDB).
 */
public record VxlanSpec(LinkSpec link, int vni, Optional<InetAddress> local, OptionalInt underlayIndex, int dstPort,
        boolean learning) {
    public static final int IANA_PORT = 4789;

    public VxlanSpec {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(underlayIndex, "underlayIndex");
        if (vni < 0 || vni > 0xFFFFFF) {
            throw new IllegalArgumentException("vxlan " + link.name() + ": VNI " + vni + " out of range 0..16777215");
        }
        if (dstPort < 0 || dstPort > 0xFFFF) {
            throw new IllegalArgumentException("vxlan " + link.name() + ": port " + dstPort + " out of range");
        }
    }

    public static VxlanSpec of(LinkSpec link, int vni) {
        return new VxlanSpec(link, vni, Optional.empty(), OptionalInt.empty(), IANA_PORT, false);
    }

    public VxlanSpec withLocal(InetAddress address) {
        return new VxlanSpec(link, vni, Optional.of(address), underlayIndex, dstPort, learning);
    }

    public VxlanSpec withUnderlay(int index) {
        return new VxlanSpec(link, vni, local, OptionalInt.of(index), dstPort, learning);
    }

    public VxlanSpec withDstPort(int port) {
        return new VxlanSpec(link, vni, local, underlayIndex, port, learning);
    }

    public VxlanSpec withLearning(boolean on) {
        return new VxlanSpec(link, vni, local, underlayIndex, dstPort, on);
    }
}
