package io.trellis.ovs.openflow.message;

import static io.trellis.ovs.openflow.message.CodecTestSupport.decodeHex;
import static io.trellis.ovs.openflow.message.CodecTestSupport.hex;
import static io.trellis.ovs.openflow.message.CodecTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** NXT_CT_FLUSH: round trips, and OVS ({@code ovs-ofctl ofp-print}, 3.1, required) reading our bytes. */
class CtFlushCodecTest {

    /** Flush of UDP entries to 10.96.0.10:53 answered by 10.244.2.3:80 in zone 65520, as OVS decodes it. */
    private static final String UDP_FLUSH_HEX = "06040070000000070000232000000020" + "1100000000000000"
            + "0000002800000000" + "0001001400000000000000000000ffff0a60000a00000000" + "0003000600350000"
            + "0001002800000000" + "0000001400000000000000000000ffff0af4020300000000" + "0002000600500000"
            + "00020006fff00000";

    private static String ofpPrint(String hex) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ovs-ofctl", "ofp-print", hex).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("ovs-ofctl ofp-print: %s", out).isZero();
        return out;
    }

    @Test
    void partialTuplesAndZoneAsOvsReadsThem() throws Exception {
        CtFlush flush = new CtFlush(17, 65520, CtTuple.to(InetAddress.getByName("10.96.0.10"), 53),
                CtTuple.from(InetAddress.getByName("10.244.2.3"), 80)).withXid(7);
        String hex = roundTrip(flush, OfVersion.OF15);
        assertThat(hex).isEqualTo(UDP_FLUSH_HEX);
        assertThat(ofpPrint(hex)).contains("NXT_CT_FLUSH (OF1.5) (xid=0x7): zone=65520")
                .contains("ct_nw_dst=10.96.0.10,ct_tp_src=0,ct_tp_dst=53,ct_nw_proto=17'")
                .contains("'ct_nw_src=10.244.2.3,ct_nw_dst=::,ct_tp_src=80,ct_tp_dst=0'");
        assertThat(ofpPrint(hex(flush, OfVersion.OF13))).contains("NXT_CT_FLUSH (OF1.3)").contains("zone=65520");
    }

    @Test
    void anyTupleAndNoZoneWriteNoProperties() throws Exception {
        CtFlush all = new CtFlush(0, 0, OptionalInt.empty(), CtTuple.ANY, CtTuple.ANY, RawBytes.EMPTY);
        String hex = roundTrip(all, OfVersion.OF15);
        assertThat(hex).isEqualTo("06040018000000000000232000000020" + "0000000000000000");
        assertThat(ofpPrint(hex)).contains("NXT_CT_FLUSH").contains("zone=0");
        CtFlush v6 = new CtFlush(0, 6, OptionalInt.of(3), new CtTuple(Optional.of(InetAddress.getByName("fd00::1")),
                Optional.of(InetAddress.getByName("fd00::2")), OptionalInt.of(1000), OptionalInt.of(443)), CtTuple.ANY,
                RawBytes.EMPTY);
        assertThat(ofpPrint(roundTrip(v6, OfVersion.OF15))).contains("ct_ipv6_src=fd00::1,ct_ipv6_dst=fd00::2,"
                + "ct_tp_src=1000,ct_tp_dst=443,ct_nw_proto=6");
    }

    @Test
    void icmpTuplesAndUnknownPropertiesAreKeptRaw() throws Exception {
        // An ICMP original tuple (NXT_CT_TUPLE_ICMP_ID = 4, TYPE = 5, CODE = 6) is not modelled.
        String icmpTuple = "0000002800000000" + "0000001400000000000000000000ffff0a00000100000000"
                + "0004000600070000" + "0005000508000000" + "0006000500000000";
        String hex = "06040058000000010000232000000020" + "0100000000000000" + icmpTuple + "00020006000a0000";
        CtFlush decoded = (CtFlush) decodeHex(hex);
        assertThat(decoded.original()).isEqualTo(CtTuple.ANY);
        assertThat(decoded.zone()).hasValue(10);
        assertThat(decoded.otherProperties().toHex()).isEqualTo(icmpTuple);
        assertThat(ofpPrint(hex(decoded, OfVersion.OF15))).contains("zone=10")
                .contains("ct_nw_src=10.0.0.1").contains("icmp_id=7");
    }

    @Test
    void malformedBodiesNameTheField() {
        assertThatThrownBy(() -> decodeHex("06040018000000000000232000000020" + "1100000100000000"))
                .hasRootCauseInstanceOf(OfCodecException.class).rootCause()
                .hasMessageContaining("nx_ct_flush pad byte 2: 0x1");
        assertThatThrownBy(() -> decodeHex("06040028000000000000232000000020" + "1100000000000000"
                + "0000001000000000" + "0000000800000000")).rootCause()
                .hasMessageContaining("NXT_CT_TUPLE_SRC: length 8, expected 20");
        assertThatThrownBy(() -> new CtFlush(17, 70000, CtTuple.ANY, CtTuple.ANY))
                .hasMessageContaining("zone: 70000 out of range");
        assertThatThrownBy(() -> CtTuple.from(InetAddress.getLoopbackAddress(), 0))
                .hasMessageContaining("srcPort: 0 out of range 1..65535");
    }
}
