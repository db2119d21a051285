package io.trellis.ovs.openflow.it;

import java.nio.ByteBuffer;

/** Builds raw Ethernet frames for packet-out. */
final class TestPackets {
    private TestPackets() {
    }

    /**
     * An Ethernet/IPv4/UDP frame with a correct IPv4 header checksum (conntrack in the userspace
     * datapath marks packets with a bad one invalid) and no UDP checksum (allowed for IPv4).
     */
    static byte[] udp(byte[] srcMac, byte[] dstMac, byte[] srcIp, byte[] dstIp, int srcPort, int dstPort,
                      byte[] payload) {
        int ipLength = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(dstMac).put(srcMac).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength)
                .putShort((short) 1).putShort((short) 0)          // id, flags/fragment offset
                .put((byte) 64).put((byte) 17).putShort((short) 0) // ttl, protocol UDP, checksum (below)
                .put(srcIp).put(dstIp);
        b.putShort(ipStart + 10, (short) checksum(b.array(), ipStart, 20));
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    /** The Internet checksum (RFC 1071) of len bytes at off. */
    static int checksum(byte[] data, int off, int len) {
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
