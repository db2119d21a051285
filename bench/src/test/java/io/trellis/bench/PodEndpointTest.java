package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PodEndpointTest {

    @Test
    void readsAddressAndMtuFromIpOneLineOutput() {
        String addr = "3: eth0    inet 10.244.2.5/24 brd 10.244.2.255 scope global eth0\\       valid_lft forever"
                + " preferred_lft forever\n";
        String link = "3: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT"
                + " group default qlen 1000\\    link/ether 62:1c:0a:f4:02:05 brd ff:ff:ff:ff:ff:ff link-netns tl1a2b-node-2\n";

        assertThat(PodEndpoint.ipv4Of("p", addr)).isEqualTo("10.244.2.5");
        assertThat(PodEndpoint.mtuOf("p", link)).isEqualTo(1450);
    }

    @Test
    void missingAddressOrMtuNamesTheNamespace() {
        assertThatThrownBy(() -> PodEndpoint.ipv4Of("rlp1a", ""))
                .hasMessage("rlp1a: no IPv4 address on eth0 in ''");
        assertThatThrownBy(() -> PodEndpoint.mtuOf("rlp1a", "Device \"eth0\" does not exist."))
                .hasMessage("rlp1a: no MTU for eth0 in 'Device \"eth0\" does not exist.'");
        assertThatThrownBy(() -> new PodEndpoint("rlp1a", "10.10.1.2", 0))
                .hasMessage("rlp1a: MTU 0 below IPv4's minimum of 68");
    }

    @Test
    void aPairNeedsTwoNamespaces() {
        PodEndpoint pod = new PodEndpoint("ns1", "10.0.0.1", 1450);
        assertThatThrownBy(() -> new PodPair(pod, new PodEndpoint("ns1", "10.0.0.2", 1450)))
                .hasMessage("client and server share the namespace ns1");
    }
}
