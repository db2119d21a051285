package io.trellis.spi.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodInterfacesTest {

    private static final Path NETNS = Path.of("/var/run/netns/pod-a");
    private static final InterfaceInfo HOST = new InterfaceInfo("veth1a2b3c", MacAddress.parse("aa:bb:cc:00:00:01"),
            Optional.empty());
    private static final InterfaceInfo POD = new InterfaceInfo("eth0", MacAddress.parse("0a:58:0a:f4:01:05"),
            Optional.of(NETNS));

    @Test
    void cniInterfacesListTheHostEndFirstAndIndexThePodEnd() {
        PodInterfaces veth = new PodInterfaces(Optional.of(HOST), POD, List.of());
        PodInterfaces sriov = new PodInterfaces(Optional.empty(), POD, List.of());

        assertThat(veth.cniInterfaces()).containsExactly(HOST, POD);
        assertThat(veth.cniInterfaces().get(veth.podInterfaceIndex())).isEqualTo(POD);
        assertThat(sriov.cniInterfaces()).containsExactly(POD);
        assertThat(sriov.podInterfaceIndex()).isZero();
    }

    @Test
    void sandboxesMustBeOnTheRightSide() {
        assertThatThrownBy(() -> new PodInterfaces(Optional.of(HOST), HOST, List.of()))
                .hasMessage("the pod interface veth1a2b3c needs its sandbox path");
        assertThatThrownBy(() -> new PodInterfaces(Optional.of(POD), POD, List.of()))
                .hasMessage("the host interface eth0 is not in a sandbox, got /var/run/netns/pod-a");
        assertThatThrownBy(() -> new InterfaceInfo("a-very-long-interface", HOST.mac(), Optional.empty()))
                .hasMessage("interface name must be 1..15 characters, got 'a-very-long-interface'");
    }

    @Test
    void requestValidatesMtuMacAndAddresses() throws Exception {
        PodAttachment attachment = new PodAttachment("c0ffee", "eth0", new PodRef("x", "a"));
        List<IpAddress> addresses = List.of(new IpAddress(InetAddress.getByName("10.244.1.5"), 24,
                Optional.of(InetAddress.getByName("10.244.1.1"))));
        List<Route> routes = List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(InetAddress.getByName("10.244.1.1"))));

        PodInterfaceRequest ok = new PodInterfaceRequest(attachment, NETNS, addresses, routes, 1450, Optional.empty());
        assertThat(ok.routes()).singleElement().hasToString("0.0.0.0/0 via 10.244.1.1");

        assertThatThrownBy(() -> new PodInterfaceRequest(attachment, NETNS, addresses, routes, 9, Optional.empty()))
                .hasMessage("MTU must be 1280..65535, got 9");
        assertThatThrownBy(() -> new PodInterfaceRequest(attachment, NETNS, List.of(), routes, 1450, Optional.empty()))
                .hasMessage("a pod interface needs at least one address");
        assertThatThrownBy(() -> new PodInterfaceRequest(attachment, NETNS, addresses, routes, 1450,
                Optional.of(MacAddress.parse("01:00:5e:00:00:01"))))
                .hasMessage("requested MAC 01:00:5e:00:00:01 is a group address; an interface needs a unicast one");
        assertThatThrownBy(() -> new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(InetAddress.getByName("fd00::1"))))
                .hasMessage("gateway fd00:0:0:0:0:0:0:1 of route to 0.0.0.0/0 is of another IP family");
    }
}
