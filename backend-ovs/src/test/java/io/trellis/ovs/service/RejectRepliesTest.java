package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The crafted refusals, checked field by field against RFC 793 / RFC 792 and with their checksums
 * verified the way a receiver does (the one's complement sum over the covered bytes is 0xffff).
 */
class RejectRepliesTest {

    private static final byte[] CLIENT_MAC = HexFormat.of().parseHex("0a000000000b");
    private static final byte[] GATEWAY_MAC = HexFormat.of().parseHex("0a0000000001");
    private static final byte[] CLIENT = {10, 20, 0, 20};
    private static final byte[] CLUSTER_IP = {10, 96, 0, 10};

    @Test
    void aSynGetsRstAckWithSeqZeroAndAckOfItsSeqPlusOne() {
        byte[] syn = frame(tcp(43210, 80, 0x12345678L, 0, 0x02, 0), new byte[0]);
        byte[] reply = RejectReplies.replyTo(syn).orElseThrow();

        assertThat(Arrays.copyOfRange(reply, 0, 6)).as("eth dst").containsExactly(CLIENT_MAC);
        assertThat(Arrays.copyOfRange(reply, 6, 12)).as("eth src").containsExactly(GATEWAY_MAC);
        ByteBuffer ip = ByteBuffer.wrap(reply, 14, reply.length - 14).slice();
        assertThat(ip.get(0)).isEqualTo((byte) 0x45);
        assertThat(ip.getShort(2)).as("total length").isEqualTo((short) 40);
        assertThat(ip.get(8)).as("ttl").isEqualTo((byte) 64);
        assertThat(ip.get(9)).as("protocol").isEqualTo((byte) 6);
        assertThat(Arrays.copyOfRange(reply, 14 + 12, 14 + 16)).as("from the cluster IP").containsExactly(CLUSTER_IP);
        assertThat(Arrays.copyOfRange(reply, 14 + 16, 14 + 20)).as("to the client").containsExactly(CLIENT);
        assertThat(sum(reply, 14, 20, 0)).as("IPv4 header checksum verifies").isEqualTo(0xffff);

        ByteBuffer tcp = ByteBuffer.wrap(reply, 34, 20).slice();
        assertThat(tcp.getShort(0) & 0xffff).as("source port").isEqualTo(80);
        assertThat(tcp.getShort(2) & 0xffff).as("destination port").isEqualTo(43210);
        assertThat(tcp.getInt(4)).as("seq").isZero();
        assertThat(tcp.getInt(8) & 0xffffffffL).as("ack = SEG.SEQ + 1 (the SYN)").isEqualTo(0x12345679L);
        assertThat(tcp.get(12)).as("data offset 5").isEqualTo((byte) 0x50);
        assertThat(tcp.get(13)).as("RST|ACK").isEqualTo((byte) 0x14);
        assertThat(tcpChecksumSum(reply)).as("TCP checksum verifies").isEqualTo(0xffff);
    }

    @Test
    void aSegmentWithAckGetsRstWithItsAckAsSeqAndDataAndFinCountForAck() {
        byte[] ackSegment = frame(tcp(43210, 80, 1000, 0xdeadbeefL, 0x10, 0), new byte[0]);
        ByteBuffer tcp = ByteBuffer.wrap(RejectReplies.replyTo(ackSegment).orElseThrow(), 34, 20).slice();
        assertThat(tcp.getInt(4) & 0xffffffffL).isEqualTo(0xdeadbeefL);
        assertThat(tcp.getInt(8)).isZero();
        assertThat(tcp.get(13)).as("RST alone").isEqualTo((byte) 0x04);

        // 5 bytes of data with SYN and FIN, sequence number about to wrap: ack = seq + 5 + 2, mod 2^32.
        byte[] synFinData = frame(tcp(1, 2, 0xfffffffeL, 0, 0x03, 0), "hello".getBytes());
        ByteBuffer reply = ByteBuffer.wrap(RejectReplies.replyTo(synFinData).orElseThrow(), 34, 20).slice();
        assertThat(reply.getInt(8) & 0xffffffffL).isEqualTo(5L);
    }

    @Test
    void aUdpDatagramGetsPortUnreachableQuotingItsIpHeaderAndUdpHeader() {
        byte[] udp = ByteBuffer.allocate(8).putShort((short) 40000).putShort((short) 53).putShort((short) 13)
                .putShort((short) 0).array();
        byte[] datagram = frame(17, udp, "hello".getBytes());
        byte[] reply = RejectReplies.replyTo(datagram).orElseThrow();

        assertThat(reply[14 + 9]).as("protocol ICMP").isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(reply, 14 + 12, 14 + 16)).containsExactly(CLUSTER_IP);
        assertThat(Arrays.copyOfRange(reply, 14 + 16, 14 + 20)).containsExactly(CLIENT);
        assertThat(sum(reply, 14, 20, 0)).isEqualTo(0xffff);
        int icmp = 34;
        assertThat(reply[icmp]).as("type 3 destination unreachable").isEqualTo((byte) 3);
        assertThat(reply[icmp + 1]).as("code 3 port unreachable").isEqualTo((byte) 3);
        assertThat(Arrays.copyOfRange(reply, icmp + 4, icmp + 8)).as("unused").containsOnly(0);
        assertThat(Arrays.copyOfRange(reply, icmp + 8, reply.length)).as("quoted: IP header + 8 bytes")
                .containsExactly(Arrays.copyOfRange(datagram, 14, 14 + 20 + 8));
        assertThat(sum(reply, icmp, reply.length - icmp, 0)).as("ICMP checksum verifies").isEqualTo(0xffff);
        assertThat(reply.length).isEqualTo(14 + 20 + 8 + 28);
    }

    @Test
    void noAnswerToResetsOtherProtocolsFragmentsOrTruncatedPackets() {
        assertThat(RejectReplies.replyTo(frame(tcp(1, 80, 5, 0, 0x04, 0), new byte[0]))).as("RST").isEmpty();
        assertThat(RejectReplies.replyTo(frame(tcp(1, 80, 5, 0, 0x14, 0), new byte[0]))).as("RST|ACK").isEmpty();
        assertThat(RejectReplies.replyTo(frame(1, new byte[8], new byte[0]))).as("ICMP").isEmpty();
        byte[] fragment = frame(17, new byte[8], new byte[0]);
        fragment[14 + 6] = 0x00;
        fragment[14 + 7] = 0x10; // offset 16 * 8 bytes: not the first fragment, no UDP header
        assertThat(RejectReplies.replyTo(fragment)).as("later fragment").isEmpty();
        byte[] syn = frame(tcp(1, 80, 5, 0, 0x02, 0), new byte[0]);
        assertThat(RejectReplies.replyTo(Arrays.copyOf(syn, 34 + 10))).as("TCP header cut before the flags").isEmpty();
        byte[] arp = Arrays.copyOf(syn, syn.length);
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThat(RejectReplies.replyTo(arp)).as("not IPv4").isEmpty();
    }

    @Test
    void ipOptionsAreSkippedAndNotCopied() {
        // IHL 6: one 4-byte option (NOPs); the reply is a plain 20-byte header.
        byte[] tcp = tcp(43210, 80, 7, 0, 0x02, 0);
        byte[] base = frame(tcp, new byte[0]);
        byte[] withOptions = new byte[base.length + 4];
        System.arraycopy(base, 0, withOptions, 0, 34);
        withOptions[14] = 0x46;
        withOptions[34] = withOptions[35] = withOptions[36] = withOptions[37] = 0x01;
        System.arraycopy(base, 34, withOptions, 38, base.length - 34);
        ByteBuffer.wrap(withOptions).putShort(14 + 2, (short) (24 + tcp.length));
        byte[] reply = RejectReplies.replyTo(withOptions).orElseThrow();
        assertThat(reply).hasSize(54);
        assertThat(ByteBuffer.wrap(reply).getInt(34 + 8)).isEqualTo(8);
    }

    // ------------------------------------------------------------------ helpers

    /** A TCP header without options. */
    private static byte[] tcp(int src, int dst, long seq, long ack, int flags, int window) {
        return ByteBuffer.allocate(20).putShort((short) src).putShort((short) dst).putInt((int) seq).putInt((int) ack)
                .put((byte) 0x50).put((byte) flags).putShort((short) window).putInt(0).array();
    }

    private static byte[] frame(byte[] tcpHeader, byte[] data) {
        return frame(6, tcpHeader, data);
    }

    /** Client to the cluster IP, through the gateway MAC. Checksums are not needed by the parser. */
    private static byte[] frame(int protocol, byte[] l4Header, byte[] data) {
        int ipLength = 20 + l4Header.length + data.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(GATEWAY_MAC).put(CLIENT_MAC).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).put(CLIENT).put(CLUSTER_IP);
        b.put(l4Header).put(data);
        return b.array();
    }

    private static int tcpChecksumSum(byte[] reply) {
        ByteBuffer pseudo = ByteBuffer.allocate(12).put(Arrays.copyOfRange(reply, 26, 34)).put((byte) 0).put((byte) 6)
                .putShort((short) 20);
        return sum(reply, 34, 20, sum(pseudo.array(), 0, 12, 0));
    }

    /** One's complement sum, folded (a valid checksum makes the covered bytes sum to 0xffff). */
    private static int sum(byte[] b, int offset, int length, int initial) {
        long s = initial;
        for (int i = 0; i < length; i += 2) {
            s += ((b[offset + i] & 0xff) << 8) | (i + 1 < length ? b[offset + i + 1] & 0xff : 0);
        }
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) s;
    }
}
