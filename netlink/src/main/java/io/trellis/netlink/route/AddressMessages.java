package io.trellis.netlink.route;

import io.trellis.netlink.Attributes;
import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.NetlinkRequest;
import io.trellis.netlink.PayloadWriter;
import java.nio.ByteBuffer;

/** Builds address requests and parses RTM_NEWADDR; pure, no I/O. */
public final class AddressMessages {
    private AddressMessages() {
    }

    /** RTM_NEWADDR with IFA_LOCAL and IFA_ADDRESS both set to the address, as for a non point-to-point link. */
    public static NetlinkRequest add(Address a) {
        return new NetlinkRequest(Rtm.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, payload(a),
                "RTM_NEWADDR " + a.prefix() + " ifindex " + a.index());
    }

    public static NetlinkRequest delete(Address a) {
        return new NetlinkRequest(Rtm.RTM_DELADDR, 0, payload(a), "RTM_DELADDR " + a.prefix() + " ifindex " + a.index());
    }

    /** Dump of one family's addresses (AF_UNSPEC for all). */
    public static NetlinkRequest dump(int family) {
        return new NetlinkRequest(Rtm.RTM_GETADDR, Netlink.NLM_F_DUMP,
                new IfAddrMsg(family, 0, 0, 0, 0).encode(), "RTM_GETADDR dump");
    }

    private static byte[] payload(Address a) {
        byte[] address = a.prefix().address().getAddress();
        PayloadWriter w = new PayloadWriter()
                .putStruct(new IfAddrMsg(a.family(), a.prefix().prefixLength(), a.flags() & 0xff, a.scope(), a.index()).encode())
                .putBytes(Ifa.LOCAL, address)
                .putBytes(Ifa.ADDRESS, address);
        if ((a.flags() & ~0xff) != 0) {
            // Flags above bit 7 only fit in IFA_FLAGS.
            w.putU32(Ifa.FLAGS, a.flags());
        }
        a.label().ifPresent(l -> w.putString(Ifa.LABEL, l));
        return w.toBytes();
    }

    public static Address parse(NetlinkMessage m) {
        if (m.type() != Rtm.RTM_NEWADDR) {
            throw new NetlinkFormatException("expected RTM_NEWADDR, got " + Rtm.name(m.type()));
        }
        ByteBuffer p = m.payloadBuffer();
        IfAddrMsg h = IfAddrMsg.decode(p, "RTM_NEWADDR");
        String context = "RTM_NEWADDR ifindex " + h.index();
        Attributes attrs = Attributes.parse(p, IfAddrMsg.SIZE, p.remaining() - IfAddrMsg.SIZE, context);
        // IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on point-to-point links).
        byte[] address = attrs.bytes(Ifa.LOCAL).or(() -> attrs.bytes(Ifa.ADDRESS))
                .orElseThrow(() -> new NetlinkFormatException(context + ": missing attribute " + Ifa.ADDRESS));
        int expected = h.family() == Rtm.AF_INET ? 4 : h.family() == Rtm.AF_INET6 ? 16 : -1;
        if (address.length != expected) {
            throw new NetlinkFormatException(context + ": address length " + address.length + " does not match family "
                    + h.family());
        }
        int flags = attrs.u32(Ifa.FLAGS).orElse(h.flags());
        return new Address(h.index(), IpPrefix.of(address, h.prefixLength()), h.scope(), flags, attrs.string(Ifa.LABEL));
    }
}
