package io.trellis.netlink;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.sys.Syscalls;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class ReplyCollectorTest {
    private static final IntFunction<String> STRERROR = Syscalls.system()::strerror;
    private static final NetlinkRequest NEWLINK = new NetlinkRequest(16, Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE,
            new byte[16], "RTM_NEWLINK veth0");
    private static final NetlinkRequest DUMP = new NetlinkRequest(18, Netlink.NLM_F_DUMP, new byte[16], "RTM_GETLINK dump");

    private static NetlinkMessage error(int seq, int flags, String payloadHex) {
        return new NetlinkMessage(Netlink.NLMSG_ERROR, flags, seq, 4242, bytes(payloadHex));
    }

    @Test
    void ackCompletesARequest() {
        ReplyCollector c = new ReplyCollector(NEWLINK, 5, STRERROR);
        // struct nlmsgerr { int error = 0; struct nlmsghdr msg = the request's header }
        assertThat(c.accept(error(5, Netlink.NLM_F_CAPPED, "00000000 | 20000000 1000 0506 05000000 00000000"))).isTrue();
        assertThat(c.replies()).isEmpty();
    }

    @Test
    void cappedErrorWithExtendedAckBecomesReadableException() {
        ReplyCollector c = new ReplyCollector(NEWLINK, 5, STRERROR);
        // error -17 (EEXIST), capped header, then NLMSGERR_ATTR_MSG "exists" (len 4+7=11, padded to 12)
        NetlinkMessage m = error(5, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS,
                "efffffff | 20000000 1000 0506 05000000 00000000 | 0b00 0100 657869737473 00 00");
        assertThatThrownBy(() -> c.accept(m))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(17);
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.request()).isEqualTo("RTM_NEWLINK veth0");
                    assertThat(e.kernelMessage()).hasValue("exists");
                })
                .hasMessage("RTM_NEWLINK veth0: File exists (EEXIST): exists");
    }

    @Test
    void uncappedErrorSkipsTheEchoedRequest() {
        // error -19 (ENODEV), then the whole 20-byte request (header + 4 payload bytes), then an offset TLV.
        NetlinkMessage m = error(9, Netlink.NLM_F_ACK_TLVS,
                "edffffff | 14000000 1300 0500 09000000 00000000 deadbeef | 0800 0200 14000000");
        NetlinkError e = NetlinkError.decode(m);
        assertThat(e.errno()).isEqualTo(19);
        assertThat(e.requestType()).isEqualTo(19);
        assertThat(e.requestSeq()).isEqualTo(9);
        assertThat(e.offset()).hasValue(20);
        assertThat(e.message()).isEmpty();
        ReplyCollector c = new ReplyCollector(NEWLINK, 9, STRERROR);
        assertThatThrownBy(() -> c.accept(m)).hasMessage("RTM_NEWLINK veth0: No such device (ENODEV)");
    }

    @Test
    void truncatedErrorPayloadIsAFormatError() {
        assertThatThrownBy(() -> NetlinkError.decode(error(1, 0, "efffffff 1000")))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("NLMSG_ERROR seq 1: payload 6 bytes, shorter than struct nlmsgerr (20)");
    }

    @Test
    void echoedRequestLongerThanPayloadIsAFormatError() {
        assertThatThrownBy(() -> NetlinkError.decode(error(1, 0, "efffffff | 40000000 1000 0000 01000000 00000000")))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("echoed nlmsg_len 64 does not fit");
    }

    @Test
    void dumpCollectsUntilDone() {
        ReplyCollector c = new ReplyCollector(DUMP, 3, STRERROR);
        assertThat(c.accept(new NetlinkMessage(16, Netlink.NLM_F_MULTI, 3, 1, bytes("01")))).isFalse();
        assertThat(c.accept(new NetlinkMessage(16, Netlink.NLM_F_MULTI, 3, 1, bytes("02")))).isFalse();
        assertThat(c.accept(new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 3, 1, bytes("00000000")))).isTrue();
        assertThat(c.replies()).extracting(m -> m.payload()[0]).containsExactly((byte) 1, (byte) 2);
        assertThat(c.interrupted()).isFalse();
    }

    @Test
    void messagesOfAnotherSequenceAreIgnored() {
        ReplyCollector c = new ReplyCollector(DUMP, 3, STRERROR);
        assertThat(c.accept(new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 2, 1, bytes("00000000")))).isFalse();
        assertThat(c.complete()).isFalse();
    }

    @Test
    void interruptedDumpIsFlagged() {
        ReplyCollector c = new ReplyCollector(DUMP, 3, STRERROR);
        c.accept(new NetlinkMessage(16, Netlink.NLM_F_MULTI | Netlink.NLM_F_DUMP_INTR, 3, 1, bytes("01")));
        c.accept(new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 3, 1, bytes("00000000")));
        assertThat(c.interrupted()).isTrue();
    }

    @Test
    void doneCarryingAnErrorFailsTheDump() {
        ReplyCollector c = new ReplyCollector(DUMP, 3, STRERROR);
        assertThatThrownBy(() -> c.accept(new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 3, 1, bytes("eaffffff"))))
                .hasMessage("RTM_GETLINK dump: Invalid argument (EINVAL)");
    }

    @Test
    void unknownErrnoIsNamedByNumber() {
        assertThat(Errno.nameOf(4000)).isEqualTo("errno 4000");
        assertThat(Errno.nameOf(95)).isEqualTo("EOPNOTSUPP");
    }
}
