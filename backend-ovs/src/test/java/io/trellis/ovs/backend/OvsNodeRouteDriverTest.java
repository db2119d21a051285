package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.pipeline.RemoteNode;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a Node becomes a remote node of the overlay. */
class OvsNodeRouteDriverTest {

    @Test
    void firstIpv4AddressAndFirstIpv4PodCidrAreUsed() throws UnknownHostException {
        NodeInfo node = new NodeInfo("n2", List.of(InetAddress.getByName("fd00::2"), InetAddress.getByName("10.251.0.2"),
                InetAddress.getByName("10.251.0.9")), List.of(IpPrefix.parse("fd00:10::/64"), IpPrefix.parse("10.20.2.0/24")));
        assertThat(OvsNodeRouteDriver.toRemote(node)).contains(RemoteNode.of("n2", "10.251.0.2", "10.20.2.0/24"));
    }

    @Test
    void nodeWithoutPodCidrHasNothingToRouteTo() throws UnknownHostException {
        NodeInfo node = new NodeInfo("n3", List.of(InetAddress.getByName("10.251.0.3")), List.of());
        assertThat(OvsNodeRouteDriver.toRemote(node)).isEmpty();
    }

    @Test
    void nodeWithoutIpv4AddressIsAnErrorNamingIt() throws UnknownHostException {
        NodeInfo node = new NodeInfo("n4", List.of(InetAddress.getByName("fd00::4")),
                List.of(IpPrefix.parse("10.20.4.0/24")));
        assertThatThrownBy(() -> OvsNodeRouteDriver.toRemote(node)).isInstanceOf(NodeRouteException.class)
                .hasMessage("node n4: no IPv4 internal IP in [/fd00:0:0:0:0:0:0:4]; the Geneve overlay runs over IPv4");
    }
}
