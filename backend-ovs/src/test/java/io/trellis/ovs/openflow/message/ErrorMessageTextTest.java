package io.trellis.ovs.openflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.OfVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Readable error text: names, Nicira and ONF experimenter codes, and the failed request. */
class ErrorMessageTextTest {

    private static RawBytes requestBytes(OfMessage m, OfVersion v) {
        return RawBytes.of(CodecAccess.encode(m, v));
    }

    @Test
    void standardErrorNamesTypeCodeAndFailedGroupMod() {
        GroupMod mod = GroupMod.add(5, GroupType.SELECT, List.of()).withXid(0x2a);
        ErrorMessage e = ErrorMessage.standard(0x2a, 6, 0, requestBytes(mod, OfVersion.OF15));
        assertThat(e.text()).isEqualTo("OFPGMFC_GROUP_EXISTS: group already exists [type=6 code=0] in reply to "
                + "GROUP_MOD xid=0x2a (OF1.5): add group_id=5 type=select");
    }

    @Test
    void niciraExperimenterErrorIsNamed() {
        ErrorMessage e = ErrorMessage.nicira(3, 15, RawBytes.fromHex("060e0050" + "00000003"));
        assertThat(e.name()).isEqualTo("NXBAC_BAD_CONJUNCTION");
        assertThat(e.text()).startsWith("NXBAC_BAD_CONJUNCTION: bad conjunction")
                .contains("[type=65535 code=15 experimenter=0x2320]")
                .endsWith("in reply to FLOW_MOD xid=0x3 (OF1.5)");
        // And it survives the wire.
        ErrorMessage back = (ErrorMessage) CodecTestSupport.decodeHex(CodecTestSupport.roundTrip(e, OfVersion.OF15));
        assertThat(back.text()).isEqualTo(e.text());
    }

    @Test
    void onfBundleErrorOfOpenFlow13IsNamed() {
        ErrorMessage e = new ErrorMessage(1, 0xffff, 2313, OfErrorCatalog.ONF_VENDOR_ID, RawBytes.EMPTY);
        assertThat(e.name()).isEqualTo("OFPBFC_MSG_FAILED");
        assertThat(e.text()).startsWith("OFPBFC_MSG_FAILED: a message in the bundle failed");
    }

    @Test
    void bundleAddFailureDescribesTheInnerMessage() {
        FlowMod flow = FlowMod.builder(FlowModCommand.DELETE_STRICT).tableId(4).priority(77).cookie(0xabc).build();
        BundleAdd add = BundleAdd.of(9, 3, flow.withXid(0x10));
        ErrorMessage e = ErrorMessage.standard(0x10, 4, 9, requestBytes(add, OfVersion.OF15));
        assertThat(e.text()).isEqualTo("OFPBMC_BAD_PREREQ: match field prerequisite not met [type=4 code=9] in reply to "
                + "BUNDLE_ADD_MESSAGE xid=0x10 (OF1.5): bundle_id=9 containing FLOW_MOD xid=0x10 (OF1.5): "
                + "delete_strict table=4 priority=77 cookie=0xabc");
    }

    @Test
    void unknownCodesStillSayWhatTheyAre() {
        assertThat(ErrorMessage.standard(1, 5, 99, RawBytes.EMPTY).text())
                .isEqualTo("OFPET_FLOW_MOD_FAILED code 99 [type=5 code=99]");
        assertThat(new ErrorMessage(1, 0xffff, 7, 0x1234, RawBytes.EMPTY).text())
                .isEqualTo("experimenter 0x1234 error 7 [type=65535 code=7 experimenter=0x1234]");
    }

    @Test
    void helloFailedCarriesTextNotARequest() {
        ErrorMessage e = ErrorMessage.standard(0, 0, 0,
                RawBytes.of("We support versions 0x04 to 0x06".getBytes(StandardCharsets.US_ASCII)));
        assertThat(e.text()).isEqualTo("OFPHFC_INCOMPATIBLE: no common OpenFlow version [type=0 code=0]: "
                + "We support versions 0x04 to 0x06");
    }

    @Test
    void truncatedRequestIsStillNamed() {
        ErrorMessage e = ErrorMessage.standard(1, 1, 6, RawBytes.fromHex("060e00c8000000010000"));
        assertThat(e.text()).endsWith("in reply to FLOW_MOD xid=0x1 (OF1.5)");
        assertThat(ErrorMessage.standard(1, 1, 6, RawBytes.fromHex("0601")).text())
                .endsWith("in reply to an unparseable request (2 bytes)");
    }
}
