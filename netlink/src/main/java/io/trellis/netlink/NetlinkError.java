package io.trellis.netlink;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A decoded NLMSG_ERROR payload (struct nlmsgerr): the error (0 for an ACK), the header of the request it
 * answers and, with extended ACK, the kernel's message and the offset of the offending attribute.
 */
public record NetlinkError(int error, int requestType, int requestSeq, Optional<String> message, OptionalInt offset) {
    /** sizeof(struct nlmsgerr) with a capped (header-only) copy of the request. */
    private static final int NLMSGERR_LEN = 4 + Netlink.NLMSG_HDRLEN;

    public boolean isAck() {
        return error == 0;
    }

    /** The positive errno (the kernel sends it negated). */
    public int errno() {
        return -error;
    }

    public static NetlinkError decode(NetlinkMessage m) {
        if (m.type() != Netlink.NLMSG_ERROR) {
            throw new IllegalArgumentException("not an NLMSG_ERROR message: type " + m.type());
        }
        ByteBuffer p = m.payloadBuffer();
        if (p.remaining() < NLMSGERR_LEN) {
            throw new NetlinkFormatException("NLMSG_ERROR seq " + m.seq() + ": payload " + p.remaining()
                    + " bytes, shorter than struct nlmsgerr (" + NLMSGERR_LEN + ")");
        }
        int error = p.getInt(0);
        if (error > 0) {
            throw new NetlinkFormatException("NLMSG_ERROR seq " + m.seq() + ": error " + error + " is positive");
        }
        int origLen = p.getInt(4);
        int origType = Short.toUnsignedInt(p.getShort(8));
        int origSeq = p.getInt(12);
        int tlvStart = NLMSGERR_LEN;
        if (!m.hasFlag(Netlink.NLM_F_CAPPED) && error != 0) {
            // Uncapped: the whole request follows the error code (the kernel never echoes it for an ACK).
            if (origLen < Netlink.NLMSG_HDRLEN || 4 + origLen > p.remaining()) {
                throw new NetlinkFormatException("NLMSG_ERROR seq " + m.seq() + ": echoed nlmsg_len " + origLen
                        + " does not fit the " + (p.remaining() - 4) + " bytes after the error code");
            }
            tlvStart = 4 + Netlink.align(origLen);
        }
        Optional<String> message = Optional.empty();
        OptionalInt offset = OptionalInt.empty();
        if (m.hasFlag(Netlink.NLM_F_ACK_TLVS) && tlvStart < p.remaining()) {
            Attributes tlvs = Attributes.parse(p, tlvStart, p.remaining() - tlvStart,
                    "NLMSG_ERROR seq " + m.seq() + " extended ACK");
            message = tlvs.string(new AttrType(Netlink.NLMSGERR_ATTR_MSG, "NLMSGERR_ATTR_MSG")).filter(s -> !s.isEmpty());
            offset = tlvs.u32(new AttrType(Netlink.NLMSGERR_ATTR_OFFS, "NLMSGERR_ATTR_OFFS"));
        }
        return new NetlinkError(error, origType, origSeq, message, offset);
    }
}
