package io.trellis.netlink.route;

import io.trellis.netlink.Attributes;
import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.NetlinkRequest;
import io.trellis.netlink.PayloadWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Optional;

/** Builds neighbour/FDB requests and parses RTM_NEWNEIGH; pure, no I/O. */
public final class NeighbourMessages {
    private NeighbourMessages() {
    }

    public static NetlinkRequest add(Neighbour n) {
        return new NetlinkRequest(Rtm.RTM_NEWNEIGH, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, payload(n),
                "RTM_NEWNEIGH " + n.describe());
    }

    public static NetlinkRequest replace(Neighbour n) {
        return new NetlinkRequest(Rtm.RTM_NEWNEIGH, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, payload(n),
                "RTM_NEWNEIGH replace " + n.describe());
    }

    /** Adds another destination for the same MAC (VXLAN head-end replication list). */
    public static NetlinkRequest append(Neighbour n) {
        return new NetlinkRequest(Rtm.RTM_NEWNEIGH, Netlink.NLM_F_CREATE | Netlink.NLM_F_APPEND, payload(n),
                "RTM_NEWNEIGH append " + n.describe());
    }

    public static NetlinkRequest delete(Neighbour n) {
        return new NetlinkRequest(Rtm.RTM_DELNEIGH, 0, payload(n), "RTM_DELNEIGH " + n.describe());
    }

    public static NetlinkRequest dump(int family) {
        return new NetlinkRequest(Rtm.RTM_GETNEIGH, Netlink.NLM_F_DUMP, new NdMsg(family, 0, 0, 0, 0).encode(),
                "RTM_GETNEIGH dump");
    }

    private static byte[] payload(Neighbour n) {
        PayloadWriter w = new PayloadWriter().putStruct(new NdMsg(n.family(), n.index(), n.state(), n.flags(), 0).encode());
        n.destination().ifPresent(d -> w.putBytes(Nda.DST, d.getAddress()));
        n.lladdr().ifPresent(m -> w.putBytes(Nda.LLADDR, m.octets()));
        n.vni().ifPresent(v -> w.putU32(Nda.VNI, v));
        n.masterIndex().ifPresent(m -> w.putU32(Nda.MASTER, m));
        return w.toBytes();
    }

    public static Neighbour parse(NetlinkMessage m) {
        if (m.type() != Rtm.RTM_NEWNEIGH) {
            throw new NetlinkFormatException("expected RTM_NEWNEIGH, got " + Rtm.name(m.type()));
        }
        ByteBuffer p = m.payloadBuffer();
        NdMsg h = NdMsg.decode(p, "RTM_NEWNEIGH");
        String context = "RTM_NEWNEIGH family " + h.family() + " ifindex " + h.index();
        Attributes a = Attributes.parse(p, NdMsg.SIZE, p.remaining() - NdMsg.SIZE, context);
        Optional<InetAddress> dst = a.bytes(Nda.DST).map(b -> {
            if (b.length != 4 && b.length != 16) {
                throw new NetlinkFormatException(context + ": " + Nda.DST + " length " + b.length + ", expected 4 or 16");
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new NetlinkFormatException(context + ": " + Nda.DST + " is not an address");
            }
        });
        Optional<MacAddress> mac = a.bytes(Nda.LLADDR).filter(b -> b.length == 6).map(MacAddress::of);
        return new Neighbour(h.family(), h.index(), h.state(), h.flags(), dst, mac, a.u32(Nda.VNI), a.u32(Nda.MASTER));
    }
}
