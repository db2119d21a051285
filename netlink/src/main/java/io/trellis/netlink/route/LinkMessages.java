package io.trellis.netlink.route;

import io.trellis.netlink.Attributes;
import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.NetlinkRequest;
import io.trellis.netlink.PayloadWriter;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds link requests and parses RTM_NEWLINK replies; pure, no I/O. */
public final class LinkMessages {
    private static final int CREATE = Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;

    private LinkMessages() {
    }

    /** RTM_NEWLINK creating a veth pair; each end may be created directly in its own namespace. */
    public static NetlinkRequest newVeth(VethSpec spec) {
        PayloadWriter w = new PayloadWriter().putStruct(IfInfoMsg.of(0).encode());
        putSpec(w, spec.local());
        w.beginNested(Ifla.LINKINFO).putString(Ifla.INFO_KIND, "veth").beginNested(Ifla.INFO_DATA)
                .beginNested(Ifla.VETH_INFO_PEER).putStruct(IfInfoMsg.of(0).encode());
        putSpec(w, spec.peer());
        w.endNested().endNested().endNested();
        return new NetlinkRequest(Rtm.RTM_NEWLINK, CREATE, w.toBytes(),
                "RTM_NEWLINK " + spec.local().name() + " (veth peer " + spec.peer().name() + ")");
    }

    public static NetlinkRequest newBridge(LinkSpec spec) {
        PayloadWriter w = new PayloadWriter().putStruct(IfInfoMsg.of(0).encode());
        putSpec(w, spec);
        w.beginNested(Ifla.LINKINFO).putString(Ifla.INFO_KIND, "bridge").endNested();
        return new NetlinkRequest(Rtm.RTM_NEWLINK, CREATE, w.toBytes(), "RTM_NEWLINK " + spec.name() + " (bridge)");
    }

    public static NetlinkRequest newVxlan(VxlanSpec spec) {
        PayloadWriter w = new PayloadWriter().putStruct(IfInfoMsg.of(0).encode());
        putSpec(w, spec.link());
        w.beginNested(Ifla.LINKINFO).putString(Ifla.INFO_KIND, "vxlan").beginNested(Ifla.INFO_DATA)
                .putU32(Ifla.VXLAN_ID, spec.vni());
        spec.local().ifPresent(a -> w.putBytes(a instanceof Inet4Address ? Ifla.VXLAN_LOCAL : Ifla.VXLAN_LOCAL6,
                a.getAddress()));
        spec.underlayIndex().ifPresent(i -> w.putU32(Ifla.VXLAN_LINK, i));
        w.putBe16(Ifla.VXLAN_PORT, spec.dstPort()).putU8(Ifla.VXLAN_LEARNING, spec.learning() ? 1 : 0);
        w.endNested().endNested();
        return new NetlinkRequest(Rtm.RTM_NEWLINK, CREATE, w.toBytes(),
                "RTM_NEWLINK " + spec.link().name() + " (vxlan id " + spec.vni() + ")");
    }

    private static void putSpec(PayloadWriter w, LinkSpec spec) {
        w.putString(Ifla.IFNAME, spec.name());
        spec.mtu().ifPresent(m -> w.putU32(Ifla.MTU, m));
        spec.mac().ifPresent(m -> w.putBytes(Ifla.ADDRESS, m.octets()));
        spec.namespaceFd().ifPresent(fd -> w.putU32(Ifla.NET_NS_FD, fd));
    }

    /**
     * RTM_SETLINK applying {@code change}. A link named by {@code ref} is looked up by the kernel through
     * IFLA_IFNAME, so a rename needs the index.
     */
    public static NetlinkRequest setLink(LinkRef ref, LinkChange change) {
        if (change.newName().isPresent() && ref instanceof LinkRef.ByName) {
            throw new IllegalArgumentException("renaming " + ref.describe() + " needs the link's index");
        }
        int flags = change.up().map(u -> u ? Rtm.IFF_UP : 0).orElse(0);
        int mask = change.up().isPresent() ? Rtm.IFF_UP : 0;
        PayloadWriter w = new PayloadWriter()
                .putStruct(new IfInfoMsg(Rtm.AF_UNSPEC, 0, indexOf(ref), flags, mask).encode());
        if (ref instanceof LinkRef.ByName n) {
            w.putString(Ifla.IFNAME, n.name());
        }
        change.newName().ifPresent(n -> w.putString(Ifla.IFNAME, n));
        change.mtu().ifPresent(m -> w.putU32(Ifla.MTU, m));
        change.mac().ifPresent(m -> w.putBytes(Ifla.ADDRESS, m.octets()));
        change.masterIndex().ifPresent(m -> w.putU32(Ifla.MASTER, m));
        change.namespaceFd().ifPresent(fd -> w.putU32(Ifla.NET_NS_FD, fd));
        return new NetlinkRequest(Rtm.RTM_SETLINK, 0, w.toBytes(),
                "RTM_SETLINK " + ref.describe() + " " + change.describe());
    }

    public static NetlinkRequest deleteLink(LinkRef ref) {
        return new NetlinkRequest(Rtm.RTM_DELLINK, 0, refPayload(ref), "RTM_DELLINK " + ref.describe());
    }

    public static NetlinkRequest getLink(LinkRef ref) {
        return new NetlinkRequest(Rtm.RTM_GETLINK, 0, refPayload(ref), "RTM_GETLINK " + ref.describe());
    }

    public static NetlinkRequest dumpLinks() {
        return new NetlinkRequest(Rtm.RTM_GETLINK, Netlink.NLM_F_DUMP, IfInfoMsg.of(0).encode(), "RTM_GETLINK dump");
    }

    private static byte[] refPayload(LinkRef ref) {
        PayloadWriter w = new PayloadWriter().putStruct(IfInfoMsg.of(indexOf(ref)).encode());
        if (ref instanceof LinkRef.ByName n) {
            w.putString(Ifla.IFNAME, n.name());
        }
        return w.toBytes();
    }

    private static int indexOf(LinkRef ref) {
        return ref instanceof LinkRef.ByIndex i ? i.index() : 0;
    }

    /** Parses an RTM_NEWLINK message (a dump entry or the reply to RTM_GETLINK). */
    public static Link parse(NetlinkMessage m) {
        if (m.type() != Rtm.RTM_NEWLINK) {
            throw new NetlinkFormatException("expected RTM_NEWLINK, got " + Rtm.name(m.type()));
        }
        ByteBuffer p = m.payloadBuffer();
        IfInfoMsg info = IfInfoMsg.decode(p, "RTM_NEWLINK");
        String context = "RTM_NEWLINK ifindex " + info.index();
        Attributes a = Attributes.parse(p, IfInfoMsg.SIZE, p.remaining() - IfInfoMsg.SIZE, context);
        String name = a.require(Ifla.IFNAME, a.string(Ifla.IFNAME));
        Optional<MacAddress> mac = a.bytes(Ifla.ADDRESS).filter(b -> b.length == 6).map(MacAddress::of);
        Optional<Attributes> linkInfo = a.nested(Ifla.LINKINFO);
        Optional<String> kind = linkInfo.flatMap(li -> li.string(Ifla.INFO_KIND));
        return new Link(info.index(), name, info.type(), info.flags(), a.u32(Ifla.MTU).orElse(0), mac, kind,
                positive(a.u32(Ifla.MASTER)), positive(a.u32(Ifla.LINK)), a.u32(Ifla.LINK_NETNSID),
                a.u8(Ifla.OPERSTATE).orElse(Ifla.IF_OPER_UNKNOWN), a);
    }

    private static OptionalInt positive(OptionalInt v) {
        return v.isPresent() && v.getAsInt() > 0 ? v : OptionalInt.empty();
    }
}
