package io.trellis.netlink.route;

import io.trellis.netlink.Attributes;
import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkRequest;
import io.trellis.netlink.PayloadWriter;
import java.nio.ByteBuffer;
import java.util.Optional;

/** Builds bridge port requests and reads port settings from links; pure, no I/O. */
public final class BridgePortMessages {
    private BridgePortMessages() {
    }

    /**
     * RTM_SETLINK (family AF_BRIDGE) turning hairpin mode of bridge port {@code portIndex} on or off, as
     * {@code bridge link set dev PORT hairpin on} does. The kernel resolves AF_BRIDGE requests by index
     * only, so the port must be named by its index.
     */
    public static NetlinkRequest setHairpin(int portIndex, boolean on) {
        if (portIndex <= 0) {
            throw new IllegalArgumentException("bridge port index must be positive, got " + portIndex);
        }
        byte[] mode = new PayloadWriter().putU8(BridgePortAttrs.MODE, on ? 1 : 0).toBytes();
        // IFLA_PROTINFO with NLA_F_NESTED: PayloadWriter's nests carry no flag, so the header is written here.
        int length = Netlink.NLA_HDRLEN + mode.length;
        byte[] protinfo = ByteBuffer.allocate(length).order(Netlink.ORDER).putShort((short) length)
                .putShort((short) (BridgePortAttrs.PROTINFO.id() | Netlink.NLA_F_NESTED)).put(mode).array();
        byte[] payload = new PayloadWriter()
                .putStruct(new IfInfoMsg(Rtm.AF_BRIDGE, 0, portIndex, 0, 0).encode())
                .putStruct(protinfo).toBytes();
        return new NetlinkRequest(Rtm.RTM_SETLINK, 0, payload,
                "RTM_SETLINK ifindex " + portIndex + " (bridge port) hairpin " + (on ? "on" : "off"));
    }

    /**
     * The hairpin mode of {@code link} when it is a bridge port (read from IFLA_INFO_SLAVE_DATA); empty
     * when it is not a port of a bridge.
     */
    public static Optional<Boolean> hairpin(Link link) {
        Optional<Attributes> info = link.attributes().nested(Ifla.LINKINFO);
        if (info.isEmpty() || !info.get().string(Ifla.INFO_SLAVE_KIND).map(BridgePortAttrs.SLAVE_KIND::equals).orElse(false)) {
            return Optional.empty();
        }
        return info.get().nested(BridgePortAttrs.INFO_SLAVE_DATA)
                .map(port -> port.u8(BridgePortAttrs.MODE).orElse(0) != 0);
    }
}
