package io.trellis.ovs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CapturedMessageTest {
    @Test
    void loadsOneFixtureWithItsHeaderLines() {
        CapturedMessage msg = CapturedMessage.load("barrier-request");
        assertThat(msg.direction()).isEqualTo(CapturedMessage.Direction.TO_SWITCH);
        assertThat(msg.command()).startsWith("ovs-ofctl -O OpenFlow15 add-group");
        assertThat(msg.ofpPrint()).startsWith("OFPT_BARRIER_REQUEST (OF1.5)");
        assertThat(msg.bytes()).hasSize(8);
        assertThat(msg.bytes()[0]).isEqualTo((byte) 0x06); // OpenFlow 1.5
        assertThat(msg.bytes()[1]).isEqualTo((byte) 20);   // OFPT_BARRIER_REQUEST
        assertThat(msg.xid()).isEqualTo(7);
    }
}
