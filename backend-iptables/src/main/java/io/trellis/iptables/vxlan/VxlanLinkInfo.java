package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.Attributes;
import io.trellis.netlink.route.Ifla;
import io.trellis.netlink.route.Link;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The configuration of an existing VXLAN device, read from its RTM_NEWLINK
 * (IFLA_LINKINFO / IFLA_INFO_DATA / IFLA_VXLAN_*, linux/if_link.h), to tell whether it is the device
 * the driver wants or one to replace (the kernel cannot change VNI, port or local address of a
 * running VXLAN device in every version, so the driver recreates it instead).
 */
record VxlanLinkInfo(int vni, Optional<InetAddress> local, OptionalInt underlayIndex, int port, boolean learning) {
    VxlanLinkInfo {
        requireNonNull(local, "local");
        requireNonNull(underlayIndex, "underlayIndex");
    }

    /** The link's VXLAN settings; empty when it is no VXLAN device or reports no IFLA_INFO_DATA. */
    static Optional<VxlanLinkInfo> of(Link link) {
        if (!link.kind().equals(Optional.of("vxlan"))) {
            return Optional.empty();
        }
        Optional<Attributes> data = link.attributes().nested(Ifla.LINKINFO).flatMap(li -> li.nested(Ifla.INFO_DATA));
        if (data.isEmpty()) {
            return Optional.empty();
        }
        Attributes d = data.get();
        Optional<InetAddress> local = d.bytes(Ifla.VXLAN_LOCAL).map(VxlanLinkInfo::address);
        OptionalInt underlay = d.u32(Ifla.VXLAN_LINK);
        if (underlay.isPresent() && underlay.getAsInt() == 0) {
            underlay = OptionalInt.empty();
        }
        // The kernel always reports IFLA_VXLAN_PORT and IFLA_VXLAN_LEARNING; their absence reads as "differs".
        return Optional.of(new VxlanLinkInfo(d.u32(Ifla.VXLAN_ID).orElse(-1), local, underlay,
                d.be16(Ifla.VXLAN_PORT).orElse(-1), d.u8(Ifla.VXLAN_LEARNING).orElse(1) != 0));
    }

    /** {@code vni 1 port 4789 local 10.251.0.1 underlay 2 nolearning}, for logs. */
    String describe() {
        return "vni " + vni + " port " + port + " local " + local.map(InetAddress::getHostAddress).orElse("none")
                + " underlay " + (underlayIndex.isPresent() ? String.valueOf(underlayIndex.getAsInt()) : "none")
                + (learning ? " learning" : " nolearning");
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("IFLA_VXLAN_LOCAL of " + bytes.length + " bytes", e);
        }
    }
}
