package io.trellis.ovs.openflow.message;

import static io.trellis.ovs.openflow.message.CodecTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known-good bytes: messages recorded between ovs-ofctl and a real ovs-vswitchd 3.1 (see
 * src/test/resources/openflow/captures/README.md). Every capture must decode and re-encode to the
 * identical bytes; selected ones are also checked field by field.
 */
class CapturedMessagesTest {

    record Capture(String name, String command, String ofpPrint, String hex) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Path capturesDir() {
        URL readme = CapturedMessagesTest.class.getClassLoader().getResource("openflow/captures/README.md");
        assertThat(readme).as("openflow/captures/README.md on the test classpath").isNotNull();
        try {
            return Path.of(readme.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Capture load(Path file) {
        try {
            String command = "";
            String print = "";
            String hex = null;
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("# command:")) {
                    command = line.substring("# command:".length()).trim();
                } else if (line.startsWith("# ofp-print:")) {
                    print = line.substring("# ofp-print:".length()).trim();
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    hex = line.trim();
                }
            }
            assertThat(hex).as("hex line of %s", file).isNotNull();
            return new Capture(file.getFileName().toString().replace(".txt", ""), command, print, hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Capture> captures() throws IOException {
        try (Stream<Path> files = Files.list(capturesDir())) {
            List<Capture> all = files.filter(p -> p.toString().endsWith(".txt")).sorted().map(CapturedMessagesTest::load)
                    .toList();
            assertThat(all).as("capture files").hasSizeGreaterThan(20);
            return all.stream();
        }
    }

    static Capture capture(String name) {
        return load(capturesDir().resolve(name + ".txt"));
    }

    static OfMessage decode(Capture c) {
        var buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(c.hex()));
        try {
            return OfMessageCodec.decode(buf);
        } finally {
            buf.release();
        }
    }

    static OfVersion versionOf(Capture c) {
        int wire = Integer.parseInt(c.hex().substring(0, 2), 16);
        return wire == OfVersion.OF13.wireVersion() ? OfVersion.OF13 : OfVersion.OF15;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void decodesAndReencodesToIdenticalBytes(Capture c) {
        OfMessage m = decode(c);
        assertThat(m).as("%s decodes to a modelled message, not a raw one", c.name())
                .isNotInstanceOf(UnknownMessage.class).isNotInstanceOf(UnknownExperimenter.class);
        assertThat(hex(m, versionOf(c))).as("re-encoded %s (%s)", c.name(), c.ofpPrint()).isEqualTo(c.hex());
    }

    @Test
    void helloFromSwitchOffers13And15() {
        Hello hello = (Hello) decode(capture("hello-from-switch"));
        assertThat(hello.bitmapVersions()).contains(4, 6);
        assertThat(hello.negotiate(OfVersion.OF13, OfVersion.OF15)).contains(OfVersion.OF15);
    }

    @Test
    void featuresReply() {
        FeaturesReply f = (FeaturesReply) decode(capture("features-reply"));
        assertThat(f.nTables()).isEqualTo(254);
        assertThat(capture("features-reply").ofpPrint()).contains(String.format("dpid:%016x", f.datapathId()));
    }

    @Test
    void errorBadOutGroupReadsLikeOvs() {
        ErrorMessage e = (ErrorMessage) decode(capture("error-bad-out-group"));
        assertThat(e.name()).isEqualTo("OFPBAC_BAD_OUT_GROUP");
        assertThat(e.text()).startsWith("OFPBAC_BAD_OUT_GROUP: ")
                .contains("in reply to FLOW_MOD xid=0x6 (OF1.5): add table=8 priority=1");
        ErrorMessage exists = (ErrorMessage) decode(capture("error-group-exists"));
        assertThat(exists.text()).startsWith("OFPGMFC_GROUP_EXISTS: group already exists")
                .contains("GROUP_MOD xid=0x6 (OF1.5): add group_id=1 type=all");
    }

    @Test
    void bundleAddCarriesTheFlowModUnderTheSameXid() {
        BundleAdd add = (BundleAdd) decode(capture("bundle-add-flowmod"));
        assertThat(add.flags()).isEqualTo(BundleControl.ATOMIC | BundleControl.ORDERED);
        FlowMod inner = (FlowMod) add.message();
        assertThat(inner.xid()).isEqualTo(add.xid());
        assertThat(inner.tableId()).isEqualTo(9);
        assertThat(inner.priority()).isEqualTo(10);
        BundleControl commit = (BundleControl) decode(capture("bundle-commit-request"));
        assertThat(commit.type()).isEqualTo(BundleControlType.COMMIT_REQUEST);
        assertThat(((BundleControl) decode(capture("bundle-commit-reply"))).type())
                .isEqualTo(BundleControlType.COMMIT_REPLY);
    }

    @Test
    void flowStatsReplyHasBothFlows() {
        FlowStatsReply reply = (FlowStatsReply) decode(capture("flow-stats-reply"));
        assertThat(reply.entries()).hasSize(2);
        assertThat(reply.entries()).allSatisfy(s -> {
            assertThat(s.tableId()).isEqualTo(9);
            assertThat(s.priority()).isEqualTo(10);
        });
        assertThat(reply.more()).isFalse();
        assertThat(reply.entries().get(0).idleAgeSeconds()).as("OXS idle_time").isPresent();
        FlowStatsReply of13 = (FlowStatsReply) decode(capture("flow-stats-reply-of13"));
        assertThat(of13.entries()).isNotEmpty().allSatisfy(s -> assertThat(s.tableId()).isEqualTo(4));
    }

    @Test
    void groupModSelectHasWeightedBuckets() {
        GroupMod select = (GroupMod) decode(capture("group-mod-select"));
        assertThat(select.type()).isEqualTo(GroupType.SELECT);
        assertThat(select.groupId()).isEqualTo(1);
        assertThat(select.buckets()).isNotEmpty();
        assertThat(select.buckets().get(0).bucketId()).isEqualTo(1);
        assertThat(select.buckets().get(0).weight()).isEqualTo(10);
        assertThat(select.properties().isEmpty()).as("selection_method property kept raw").isFalse();
        GroupMod of13 = (GroupMod) decode(capture("group-mod-select-of13"));
        assertThat(of13.type()).isEqualTo(GroupType.SELECT);
    }

    @Test
    void packetIn2CarriesRegistersConntrackAndUserdata() {
        PacketIn2 pin = (PacketIn2) decode(capture("packet-in2"));
        assertThat(pin.tableId()).isEqualTo(20);
        assertThat(pin.reason()).isEqualTo(PacketInMessage.REASON_APPLY_ACTION);
        assertThat(pin.userdata().toHex()).isEqualTo("0a0b0c0d");
        assertThat(pin.packet().length()).isEqualTo(47);
        // OVS packs reg0/reg1 into the 64-bit xreg0 (OXM_OF_PKT_REG0); register() reads either form.
        assertThat(pin.register(0)).hasValue(0x1234);
        assertThat(pin.register(1)).hasValue(0xab);
        assertThat(pin.register(2)).isEmpty();
        assertThat(field(pin, OxmFields.IN_PORT).valueAsLong()).isEqualTo(5);
        assertThat(field(pin, OxmFields.CT_ZONE).valueAsLong()).isEqualTo(3);
        assertThat(field(pin, OxmFields.CT_STATE).valueAsLong() & 0x21).isEqualTo(0x21); // new | trk
    }

    @Test
    void packetOutCarriesInPortMatch() {
        PacketOut out = (PacketOut) decode(capture("packet-out"));
        assertThat(out.inPort()).isEqualTo(5);
        assertThat(out.data().length()).isEqualTo(47);
        assertThat(out.actions()).hasSize(1);
    }

    private static MatchField field(PacketInMessage pin, io.trellis.ovs.openflow.match.OxmField f) {
        return pin.metadataFields().stream().filter(m -> m.field().equals(f)).findFirst()
                .orElseThrow(() -> new AssertionError(f.name() + " missing from " + pin.metadataFields()));
    }
}
