package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/**
 * Nicira NXT_CT_FLUSH (OVS 3.1+, nicira-ext.h struct nx_ct_flush): deletes the datapath's
 * conntrack entries of {@code ipProto} (0: any) in {@code zone} (absent: the default zone 0)
 * whose original and reply tuples match. Established connections whose entry is gone are looked
 * up afresh by their next packet: how the Service proxy moves UDP flows off a removed endpoint.
 *
 * @param ipProto         IP protocol, 0..255
 * @param zone            conntrack zone, 0..65535
 * @param original        the original direction (client to Service)
 * @param reply           the reply direction (backend to client, after NAT)
 * @param otherProperties properties this model does not know, kept as read (encoded after the others)
 */
public record CtFlush(int xid, int ipProto, OptionalInt zone, CtTuple original, CtTuple reply,
                      RawBytes otherProperties) implements OfMessage {

    public CtFlush {
        if (ipProto < 0 || ipProto > 0xff) {
            throw new IllegalArgumentException("NXT_CT_FLUSH ip_proto: " + ipProto + " out of range 0..255");
        }
        requireNonNull(zone, "zone");
        if (zone.isPresent() && (zone.getAsInt() < 0 || zone.getAsInt() > 0xffff)) {
            throw new IllegalArgumentException("NXT_CT_FLUSH zone: " + zone.getAsInt() + " out of range 0..65535");
        }
        requireNonNull(original, "original");
        requireNonNull(reply, "reply");
        requireNonNull(otherProperties, "otherProperties");
    }

    public CtFlush(int ipProto, int zone, CtTuple original, CtTuple reply) {
        this(0, ipProto, OptionalInt.of(zone), original, reply, RawBytes.EMPTY);
    }

    @Override
    public CtFlush withXid(int xid) {
        return new CtFlush(xid, ipProto, zone, original, reply, otherProperties);
    }
}
