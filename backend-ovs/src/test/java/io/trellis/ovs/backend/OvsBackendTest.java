package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.model.IpPrefix;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class OvsBackendTest {

    @Test
    void isFoundByServiceLoaderAsOvsProvidingEveryDataPlaneDriverButIpam() {
        List<TrellisBackend> found = ServiceLoader.load(TrellisBackend.class).stream()
                .map(ServiceLoader.Provider::get).filter(b -> b.name().equals("ovs")).toList();

        assertThat(found).singleElement().isInstanceOf(OvsBackend.class);
        TrellisBackend ovs = found.get(0);
        assertThat(ovs.podInterface()).isPresent();
        assertThat(ovs.nodeRoutes()).isPresent();
        assertThat(ovs.ipam()).isEmpty();
        assertThat(ovs.serviceProxy()).isPresent();
        assertThat(ovs.policy()).isPresent();
        assertThat(ovs.settingKeys()).containsExactlyInAnyOrder("datapathType", "integrationBridge", "uplinkBridge",
                "ovsdbSocket", "runDir", "netdev");
    }

    @Test
    void usesTheIpv4PodCidrAndRejectsANodeWithoutOne() {
        assertThat(OvsBackend.ipv4PodCidr(List.of(IpPrefix.parse("fd00:10:244:1::/64"), IpPrefix.parse("10.244.1.0/24"))))
                .isEqualTo(Ipv4Subnet.parse("10.244.1.0/24"));
        assertThatThrownBy(() -> OvsBackend.ipv4PodCidr(List.of(IpPrefix.parse("fd00:10:244:1::/64"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("network.podCidr: the ovs backend needs an IPv4 pod CIDR, got [fd00:10:244:1:0:0:0:0/64]");
    }

    @Test
    void theGatewayIsTheFirstAddressOfThePodCidr() {
        assertThat(OvsNodeSetup.gatewayIp(Ipv4Subnet.parse("10.244.7.0/24")).getHostAddress()).isEqualTo("10.244.7.1");
        assertThat(OvsNodeSetup.gatewayIp(Ipv4Subnet.parse("10.244.0.128/25")).getHostAddress()).isEqualTo("10.244.0.129");
        assertThatThrownBy(() -> OvsNodeSetup.gatewayIp(Ipv4Subnet.parse("10.0.0.4/31")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pod CIDR 10.0.0.4/31 is too small");
    }
}
