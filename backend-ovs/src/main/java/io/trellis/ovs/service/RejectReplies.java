package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The answers that refuse a connection to a Service without endpoints, built from the client's
 * first packet (an Ethernet frame holding IPv4): pure functions, no state.
 *
 * <ul>
 *   <li>TCP: a reset as RFC 793 (section 3.4, "Reset Generation", closed state) prescribes: to a
 *       segment without ACK, {@code seq=0, ack=SEG.SEQ+SEG.LEN} (SYN and FIN count one each) with
 *       RST and ACK; to a segment with ACK, {@code seq=SEG.ACK} with RST alone. Never to a RST.</li>
 *   <li>UDP: ICMP destination unreachable, code 3 port unreachable (RFC 792), quoting the
 *       datagram's IP header and the first 8 bytes of its payload (the UDP header), which is what
 *       the client's stack matches the error to its socket by.</li>
 * </ul>
 * The answer comes from the address and port the client sent to (the cluster IP) and goes back
 * with the frame's Ethernet addresses swapped. Other packets (not IPv4, other protocols, later
 * fragments, too short to read) get none.
 */
public final class RejectReplies {

    static final int ETH_HEADER = 14;
    static final int ETH_TYPE_IPV4 = 0x0800;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_ACK = 0x10;
    static final int ICMP_DEST_UNREACHABLE = 3;
    static final int ICMP_PORT_UNREACHABLE = 3;
    private static final int TTL = 64;
    /** Bytes of the datagram's payload an ICMP error quotes after its IP header (RFC 792). */
    private static final int ICMP_QUOTED_PAYLOAD = 8;

    private RejectReplies() {
    }

    /** The reset or port unreachable refusing {@code frame}'s connection, if it deserves one. */
    public static Optional<byte[]> replyTo(byte[] frame) {
        requireNonNull(frame, "frame");
        if (frame.length < ETH_HEADER + 20 || u16(frame, 12) != ETH_TYPE_IPV4) {
            return Optional.empty();
        }
        int ip = ETH_HEADER;
        int versionIhl = frame[ip] & 0xff;
        int ihl = (versionIhl & 0x0f) * 4;
        int totalLength = u16(frame, ip + 2);
        int fragmentOffset = u16(frame, ip + 6) & 0x1fff;
        if (versionIhl >> 4 != 4 || ihl < 20 || totalLength < ihl || fragmentOffset != 0) {
            return Optional.empty();
        }
        int l4 = ip + ihl;
        return switch (frame[ip + 9] & 0xff) {
            case PROTO_TCP -> tcpReset(frame, ip, ihl, totalLength, l4);
            case PROTO_UDP -> portUnreachable(frame, ip, ihl, l4);
            default -> Optional.empty();
        };
    }

    private static Optional<byte[]> tcpReset(byte[] frame, int ip, int ihl, int totalLength, int l4) {
        if (frame.length < l4 + 14) {
            return Optional.empty(); // flags unknown
        }
        int flags = frame[l4 + 13] & 0xff;
        if ((flags & TCP_RST) != 0) {
            return Optional.empty();
        }
        int dataOffset = ((frame[l4 + 12] & 0xff) >> 4) * 4;
        long segmentSeq = u32(frame, l4 + 4);
        long segmentAck = u32(frame, l4 + 8);
        long segmentLength = Math.max(0, totalLength - ihl - dataOffset) + ((flags & TCP_SYN) != 0 ? 1 : 0)
                + ((flags & TCP_FIN) != 0 ? 1 : 0);
        long seq;
        long ack;
        int replyFlags;
        if ((flags & TCP_ACK) != 0) {
            seq = segmentAck;
            ack = 0;
            replyFlags = TCP_RST;
        } else {
            seq = 0;
            ack = (segmentSeq + segmentLength) & 0xffff_ffffL;
            replyFlags = TCP_RST | TCP_ACK;
        }
        ByteBuffer tcp = ByteBuffer.allocate(20);
        tcp.putShort((short) u16(frame, l4 + 2)).putShort((short) u16(frame, l4)) // ports swapped
                .putInt((int) seq).putInt((int) ack)
                .put((byte) (5 << 4)).put((byte) replyFlags)
                .putShort((short) 0) // window
                .putShort((short) 0) // checksum, below
                .putShort((short) 0); // urgent pointer
        byte[] segment = tcp.array();
        byte[] src = slice(frame, ip + 16, 4); // the cluster IP the client sent to
        byte[] dst = slice(frame, ip + 12, 4);
        putU16(segment, 16, transportChecksum(src, dst, PROTO_TCP, segment));
        return Optional.of(frame(frame, ipv4(src, dst, PROTO_TCP, segment)));
    }

    private static Optional<byte[]> portUnreachable(byte[] frame, int ip, int ihl, int l4) {
        if (frame.length < l4 + ICMP_QUOTED_PAYLOAD) {
            return Optional.empty(); // cannot quote the UDP header
        }
        byte[] quoted = slice(frame, ip, ihl + ICMP_QUOTED_PAYLOAD);
        byte[] icmp = new byte[8 + quoted.length];
        icmp[0] = ICMP_DEST_UNREACHABLE;
        icmp[1] = ICMP_PORT_UNREACHABLE;
        System.arraycopy(quoted, 0, icmp, 8, quoted.length);
        putU16(icmp, 2, checksum(icmp, 0, icmp.length, 0));
        byte[] src = slice(frame, ip + 16, 4);
        byte[] dst = slice(frame, ip + 12, 4);
        return Optional.of(frame(frame, ipv4(src, dst, PROTO_ICMP, icmp)));
    }

    /** An IPv4 packet without options: no fragmentation (DF), TTL 64, identification 0. */
    private static byte[] ipv4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        byte[] packet = new byte[20 + payload.length];
        packet[0] = 0x45;
        putU16(packet, 2, packet.length);
        putU16(packet, 6, 0x4000);
        packet[8] = TTL;
        packet[9] = (byte) protocol;
        System.arraycopy(src, 0, packet, 12, 4);
        System.arraycopy(dst, 0, packet, 16, 4);
        putU16(packet, 10, checksum(packet, 0, 20, 0));
        System.arraycopy(payload, 0, packet, 20, payload.length);
        return packet;
    }

    /** {@code packet} in an Ethernet frame back to where {@code request} came from. */
    private static byte[] frame(byte[] request, byte[] packet) {
        byte[] frame = new byte[ETH_HEADER + packet.length];
        System.arraycopy(request, 6, frame, 0, 6);
        System.arraycopy(request, 0, frame, 6, 6);
        putU16(frame, 12, ETH_TYPE_IPV4);
        System.arraycopy(packet, 0, frame, ETH_HEADER, packet.length);
        return frame;
    }

    /** TCP/UDP checksum: over the IPv4 pseudo-header (RFC 793 section 3.1) and the segment. */
    static int transportChecksum(byte[] src, byte[] dst, int protocol, byte[] segment) {
        byte[] pseudo = new byte[12];
        System.arraycopy(src, 0, pseudo, 0, 4);
        System.arraycopy(dst, 0, pseudo, 4, 4);
        pseudo[9] = (byte) protocol;
        putU16(pseudo, 10, segment.length);
        return checksum(segment, 0, segment.length, sum(pseudo, 0, pseudo.length));
    }

    /** The Internet checksum (RFC 1071): one's complement of the one's complement sum, plus {@code initial}. */
    static int checksum(byte[] b, int offset, int length, long initial) {
        long s = initial + sum(b, offset, length);
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) (~s & 0xffff);
    }

    private static long sum(byte[] b, int offset, int length) {
        long s = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = b[offset + i] & 0xff;
            int lo = i + 1 < length ? b[offset + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        return s;
    }

    private static byte[] slice(byte[] b, int offset, int length) {
        byte[] r = new byte[length];
        System.arraycopy(b, offset, r, 0, length);
        return r;
    }

    private static int u16(byte[] b, int offset) {
        return (b[offset] & 0xff) << 8 | (b[offset + 1] & 0xff);
    }

    private static long u32(byte[] b, int offset) {
        return (long) u16(b, offset) << 16 | u16(b, offset + 2);
    }

    private static void putU16(byte[] b, int offset, int value) {
        b[offset] = (byte) (value >> 8);
        b[offset + 1] = (byte) value;
    }
}
