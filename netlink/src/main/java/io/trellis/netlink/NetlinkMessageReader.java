package io.trellis.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Splits a received datagram into netlink messages, validating every nlmsghdr length. */
public final class NetlinkMessageReader {
    private NetlinkMessageReader() {
    }

    public static List<NetlinkMessage> split(byte[] datagram, int length) {
        if (length < 0 || length > datagram.length) {
            throw new IllegalArgumentException("length " + length + " outside buffer of " + datagram.length);
        }
        ByteBuffer in = ByteBuffer.wrap(datagram, 0, length).order(Netlink.ORDER);
        List<NetlinkMessage> out = new ArrayList<>();
        int pos = 0;
        while (pos < length) {
            int left = length - pos;
            if (left < Netlink.NLMSG_HDRLEN) {
                throw new NetlinkFormatException("netlink message at offset " + pos + ": " + left
                        + " bytes left, shorter than nlmsghdr (" + Netlink.NLMSG_HDRLEN + ")");
            }
            int msgLen = in.getInt(pos);
            int type = Short.toUnsignedInt(in.getShort(pos + 4));
            if (msgLen < Netlink.NLMSG_HDRLEN) {
                throw new NetlinkFormatException("netlink message type " + type + " at offset " + pos + ": nlmsg_len "
                        + Integer.toUnsignedString(msgLen) + " is shorter than nlmsghdr (" + Netlink.NLMSG_HDRLEN + ")");
            }
            if (msgLen > left) {
                throw new NetlinkFormatException("netlink message type " + type + " at offset " + pos + ": nlmsg_len "
                        + msgLen + " exceeds the " + left + " bytes left");
            }
            int flags = Short.toUnsignedInt(in.getShort(pos + 6));
            int seq = in.getInt(pos + 8);
            int portId = in.getInt(pos + 12);
            byte[] payload = new byte[msgLen - Netlink.NLMSG_HDRLEN];
            in.get(pos + Netlink.NLMSG_HDRLEN, payload);
            out.add(new NetlinkMessage(type, flags, seq, portId, payload));
            pos += Math.min(Netlink.align(msgLen), left);
        }
        return out;
    }
}
