package io.trellis.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MtuResolverTest {
    private static final List<InetAddress> NODE_IPS = List.of(InetAddress.getLoopbackAddress());

    private static NodeRouteDriver overhead(int bytes) {
        return new NodeRouteDriver() {
            @Override
            public int encapsulationOverhead() {
                return bytes;
            }

            @Override
            public void localNode(NodeInfo local) {
            }

            @Override
            public void replaceAll(Collection<NodeInfo> remotes) {
            }

            @Override
            public void upsertNode(NodeInfo remote) {
            }

            @Override
            public void removeNode(String nodeName) {
            }
        };
    }

    @Test
    void aFixedMtuIsUsedAsIsWithoutLookingForTheUplink() {
        MtuResolver resolver = new MtuResolver(ips -> {
            throw new AssertionError("the uplink is not needed for a fixed MTU");
        });
        assertThat(resolver.resolve(new Mtu.Fixed(1400), Optional.of(overhead(50)), NODE_IPS)).isEqualTo(new PodMtu(1400));
    }

    @Test
    void autoIsTheUplinkMtuMinusTheEncapsulationOverhead() {
        MtuResolver resolver = new MtuResolver(ips -> new Uplink("eth0", 1500));
        assertThat(resolver.resolve(new Mtu.Auto(), Optional.of(overhead(50)), NODE_IPS).value()).isEqualTo(1450);
        assertThat(resolver.resolve(new Mtu.Auto(), Optional.empty(), NODE_IPS).value()).isEqualTo(1500);
    }

    @Test
    void autoBelowTheMinimumIsAnErrorThatExplainsTheArithmetic() {
        MtuResolver resolver = new MtuResolver(ips -> new Uplink("eth0", 1300));
        assertThatThrownBy(() -> resolver.resolve(new Mtu.Auto(), Optional.of(overhead(50)), NODE_IPS))
                .hasMessage("network.mtu: auto gives 1250 (uplink eth0 MTU 1300 minus 50 bytes of encapsulation), below"
                        + " the minimum 1280; raise the uplink MTU or set network.mtu");
    }

    @Test
    void netlinkFindsTheInterfaceHoldingTheNodeIp() {
        // 127.0.0.1 is on lo in every network namespace; its MTU is 65536 unless someone changed it.
        Uplink uplink = new NetlinkUplinkFinder(Syscalls.system()).find(NODE_IPS);
        assertThat(uplink.name()).isEqualTo("lo");
        assertThat(uplink.mtu()).isPositive();
    }
}
