package io.trellis.ovs.pipeline;

import io.trellis.ovs.openflow.match.MacAddress;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Raw Ethernet frames for spoofing tests, each carrying a {@code TRELLIS:<NAME>;} marker that
 * {@code nettool.py sniff} reports when the frame arrives.
 */
final class Frames {
    private Frames() {
    }

    static byte[] marker(String name) {
        return ("TRELLIS:" + name + ";").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Ethernet/IPv4/UDP with the marker as payload; the IPv4 header checksum is right (conntrack
     * marks a bad one invalid), the UDP checksum is 0 (none, allowed for IPv4).
     */
    static String udp(MacAddress src, MacAddress dst, Inet4Address srcIp, Inet4Address dstIp, String marker) {
        byte[] payload = marker(marker);
        int ipLength = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(dst.bytes()).put(src.bytes()).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength)
                .putShort((short) 0x1234).putShort((short) 0)      // id, no fragmentation
                .put((byte) 64).put((byte) 17).putShort((short) 0) // ttl, UDP, checksum below
                .put(srcIp.getAddress()).put(dstIp.getAddress());
        b.putShort(ip + 10, (short) checksum(b.array(), ip, 20));
        b.putShort((short) 40000).putShort((short) 9).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return HexFormat.of().formatHex(b.array());
    }

    /** An ARP reply claiming {@code senderIp} is at {@code senderMac}; the marker rides in the padding. */
    static String arpReply(MacAddress src, MacAddress senderMac, Inet4Address senderIp, MacAddress targetMac,
            Inet4Address targetIp, String marker) {
        byte[] pad = marker(marker);
        ByteBuffer b = ByteBuffer.allocate(14 + 28 + pad.length);
        b.put(targetMac.bytes()).put(src.bytes()).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2)
                .put(senderMac.bytes()).put(senderIp.getAddress()).put(targetMac.bytes()).put(targetIp.getAddress());
        b.put(pad);
        return HexFormat.of().formatHex(b.array());
    }

    /** The Internet checksum (RFC 1071) of len bytes at off. */
    private static int checksum(byte[] data, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((data[off + i] & 0xff) << 8) | (i + 1 < len ? data[off + i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
