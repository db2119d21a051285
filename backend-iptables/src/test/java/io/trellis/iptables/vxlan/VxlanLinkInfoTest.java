package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.LinkMessages;
import io.trellis.netlink.route.LinkSpec;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.route.VxlanSpec;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Reading a VXLAN device's settings back: an RTM_NEWLINK request and the kernel's RTM_NEWLINK reply share
 * the layout (struct ifinfomsg, IFLA_LINKINFO / IFLA_INFO_DATA / IFLA_VXLAN_*), so the request the
 * driver sends must read back as the same settings.
 */
class VxlanLinkInfoTest {

    private static NetlinkMessage reply(byte[] payload) {
        return new NetlinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0, payload);
    }

    @Test
    void readsBackWhatTheDriverCreates() {
        VxlanSpec spec = VxlanSpec.of(LinkSpec.named("trellis.vxlan").withMtu(1450), 4242)
                .withLocal(IpPrefix.parseAddress("10.251.0.2")).withUnderlay(3).withDstPort(8472).withLearning(false);
        VxlanLinkInfo info = VxlanLinkInfo.of(LinkMessages.parse(reply(LinkMessages.newVxlan(spec).payload())))
                .orElseThrow();
        assertThat(info).isEqualTo(new VxlanLinkInfo(4242, Optional.of(IpPrefix.parseAddress("10.251.0.2")),
                OptionalInt.of(3), 8472, false));
        VxlanDevice.Desired same = new VxlanDevice.Desired("trellis.vxlan", 4242, 8472,
                (java.net.Inet4Address) IpPrefix.parseAddress("10.251.0.2"), 3, VtepMac.of(
                        (java.net.Inet4Address) IpPrefix.parseAddress("10.251.0.2")), 1450,
                (java.net.Inet4Address) IpPrefix.parseAddress("10.20.2.0"));
        assertThat(same.sameTunnel(info)).isTrue();
        assertThat(new VxlanDevice.Desired("trellis.vxlan", 1, 8472, same.local(), 3, same.mac(), 1450, same.vtepIp())
                .sameTunnel(info)).as("other VNI").isFalse();
        assertThat(new VxlanDevice.Desired("trellis.vxlan", 4242, 4789, same.local(), 3, same.mac(), 1450, same.vtepIp())
                .sameTunnel(info)).as("other port").isFalse();
        assertThat(new VxlanDevice.Desired("trellis.vxlan", 4242, 8472, same.local(), 4, same.mac(), 1450, same.vtepIp())
                .sameTunnel(info)).as("other underlay").isFalse();
    }

    @Test
    void aLearningDeviceWithoutLocalAddressIsNotTheDesiredOne() {
        VxlanSpec spec = VxlanSpec.of(LinkSpec.named("vx0"), 1).withLearning(true);
        VxlanLinkInfo info = VxlanLinkInfo.of(LinkMessages.parse(reply(LinkMessages.newVxlan(spec).payload())))
                .orElseThrow();
        assertThat(info.learning()).isTrue();
        assertThat(info.local()).isEmpty();
        assertThat(info.underlayIndex()).isEmpty();
        assertThat(info.port()).isEqualTo(4789);
    }

    @Test
    void otherKindsHaveNoVxlanInfo() {
        assertThat(VxlanLinkInfo.of(LinkMessages.parse(reply(LinkMessages.newBridge(LinkSpec.named("br0")).payload()))))
                .isEmpty();
    }
}
