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
import java.util.OptionalInt;

/** Builds route requests and parses RTM_NEWROUTE; pure, no I/O. */
public final class RouteMessages {
    private RouteMessages() {
    }

    public static NetlinkRequest add(Route r) {
        return new NetlinkRequest(Rtm.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                payload(r, r.scope()), "RTM_NEWROUTE " + r.describe());
    }

    /** Adds the route or replaces the one with the same destination/table/priority. */
    public static NetlinkRequest replace(Route r) {
        return new NetlinkRequest(Rtm.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                payload(r, r.scope()), "RTM_NEWROUTE replace " + r.describe());
    }

    /** Deletes the route; RT_SCOPE_NOWHERE lets the kernel match any scope, as iproute2 does. */
    public static NetlinkRequest delete(Route r) {
        return new NetlinkRequest(Rtm.RTM_DELROUTE, 0, payload(r, Rtm.RT_SCOPE_NOWHERE), "RTM_DELROUTE " + r.describe());
    }

    public static NetlinkRequest dump(int family) {
        return new NetlinkRequest(Rtm.RTM_GETROUTE, Netlink.NLM_F_DUMP,
                new RtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0).encode(), "RTM_GETROUTE dump");
    }

    private static byte[] payload(Route r, int scope) {
        // Tables above 255 do not fit rtm_table: they go in RTA_TABLE with rtm_table = RT_TABLE_UNSPEC.
        int rtmTable = r.table() < 256 ? r.table() : Rtm.RT_TABLE_UNSPEC;
        PayloadWriter w = new PayloadWriter().putStruct(new RtMsg(r.family(), r.destination().prefixLength(), 0, 0,
                rtmTable, r.protocol(), scope, r.type(), r.flags()).encode());
        if (!r.isDefault()) {
            w.putBytes(Rta.DST, r.destination().address().getAddress());
        }
        r.priority().ifPresent(p -> w.putU32(Rta.PRIORITY, p));
        r.preferredSource().ifPresent(s -> w.putBytes(Rta.PREFSRC, s.getAddress()));
        r.gateway().ifPresent(g -> w.putBytes(Rta.GATEWAY, g.getAddress()));
        r.outputIndex().ifPresent(i -> w.putU32(Rta.OIF, i));
        if (r.table() >= 256) {
            w.putU32(Rta.TABLE, r.table());
        }
        return w.toBytes();
    }

    public static Route parse(NetlinkMessage m) {
        if (m.type() != Rtm.RTM_NEWROUTE) {
            throw new NetlinkFormatException("expected RTM_NEWROUTE, got " + Rtm.name(m.type()));
        }
        ByteBuffer p = m.payloadBuffer();
        RtMsg h = RtMsg.decode(p, "RTM_NEWROUTE");
        String context = "RTM_NEWROUTE family " + h.family() + " dst_len " + h.dstLength();
        Attributes a = Attributes.parse(p, RtMsg.SIZE, p.remaining() - RtMsg.SIZE, context);
        int length = h.family() == Rtm.AF_INET ? 4 : h.family() == Rtm.AF_INET6 ? 16 : -1;
        if (length < 0) {
            throw new NetlinkFormatException(context + ": unsupported rtm_family " + h.family());
        }
        byte[] dst = a.bytes(Rta.DST).orElse(new byte[length]);
        IpPrefix destination = IpPrefix.of(checkLength(context, Rta.DST.name(), dst, length), h.dstLength());
        int table = a.u32(Rta.TABLE).orElse(h.table());
        OptionalInt oif = a.u32(Rta.OIF);
        OptionalInt priority = a.u32(Rta.PRIORITY);
        return new Route(destination, address(a.bytes(Rta.GATEWAY), context, "RTA_GATEWAY", length), oif, h.scope(),
                table, h.protocol(), h.type(), h.flags(), address(a.bytes(Rta.PREFSRC), context, "RTA_PREFSRC", length),
                priority);
    }

    private static Optional<InetAddress> address(Optional<byte[]> bytes, String context, String field, int length) {
        return bytes.map(b -> {
            try {
                return InetAddress.getByAddress(checkLength(context, field, b, length));
            } catch (UnknownHostException e) {
                throw new NetlinkFormatException(context + ": " + field + " is not an address");
            }
        });
    }

    private static byte[] checkLength(String context, String field, byte[] b, int length) {
        if (b.length != length) {
            throw new NetlinkFormatException(context + ": " + field + " length " + b.length + ", expected " + length);
        }
        return b;
    }
}
