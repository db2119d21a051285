package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Rtm;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UplinkBridgeTest {

    private static final UplinkBridge.Moved MOVED = new UplinkBridge.Moved("eth1",
            List.of(IpPrefix.parse("10.0.0.5/24"), IpPrefix.parse("10.0.1.5/28")),
            List.of(UplinkBridge.MovedRoute.parse("0.0.0.0/0 via 10.0.0.1"), UplinkBridge.MovedRoute.parse("10.9.0.0/16")));

    @Test
    void theRecordRoundTripsThroughExternalIds() {
        Map<String, String> ids = MOVED.externalIds();
        assertThat(ids).containsExactlyInAnyOrderEntriesOf(Map.of(
                "trellis.uplink", "eth1",
                "trellis.uplink-addresses", "10.0.0.5/24,10.0.1.5/28",
                "trellis.uplink-routes", "0.0.0.0/0 via 10.0.0.1,10.9.0.0/16"));
        assertThat(UplinkBridge.Moved.fromExternalIds("br-phy", ids)).contains(MOVED);
    }

    @Test
    void nothingMovedIsRecordedAsEmptyLists() {
        UplinkBridge.Moved none = new UplinkBridge.Moved("eth1", List.of(), List.of());
        assertThat(UplinkBridge.Moved.fromExternalIds("br-phy", none.externalIds())).contains(none);
    }

    @Test
    void aBridgeWithoutTheRecordIsNotOurs() {
        assertThat(UplinkBridge.Moved.fromExternalIds("br-phy", Map.of("other", "x"))).isEmpty();
    }

    @Test
    void aDamagedRecordNamesTheBridgeKeyAndValue() {
        Map<String, String> ids = Map.of("trellis.uplink", "eth1", "trellis.uplink-routes", "0.0.0.0/0 through 10.0.0.1");
        assertThatThrownBy(() -> UplinkBridge.Moved.fromExternalIds("br-phy", ids))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("br-phy").hasMessageContaining("trellis.uplink-routes")
                .hasMessageContaining("'0.0.0.0/0 through 10.0.0.1'");
        Map<String, String> badAddress = Map.of("trellis.uplink", "eth1", "trellis.uplink-addresses", "10.0.0.300/24");
        assertThatThrownBy(() -> UplinkBridge.Moved.fromExternalIds("br-phy", badAddress))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'10.0.0.300/24'");
    }

    @Test
    void movedRoutesBecomeGatewayedOrOnLinkRoutesOnTheGivenDevice() {
        var viaGateway = UplinkBridge.MovedRoute.parse("0.0.0.0/0 via 10.0.0.1").on(7);
        assertThat(viaGateway.isDefault()).isTrue();
        assertThat(viaGateway.gateway()).contains(IpPrefix.parseAddress("10.0.0.1"));
        assertThat(viaGateway.outputIndex().getAsInt()).isEqualTo(7);
        var onLink = UplinkBridge.MovedRoute.parse("10.9.0.0/16").on(8);
        assertThat(onLink.gateway()).isEqualTo(Optional.empty());
        assertThat(onLink.scope()).isEqualTo(Rtm.RT_SCOPE_LINK);
        assertThat(onLink.outputIndex().getAsInt()).isEqualTo(8);
    }
}
