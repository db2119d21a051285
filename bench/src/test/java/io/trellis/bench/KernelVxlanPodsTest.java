package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelVxlanPodsTest {

    private final KernelVxlanPods pods = new KernelVxlanPods(Path.of("/tmp/w"), "tkvab12");

    @Test
    void everyNamespaceCarriesThePrefixAndNoLinkIsMadeInTheHost() {
        assertThat(pods.namespaces()).containsExactly("tkvab12-u", "tkvab12-n1", "tkvab12-n2", "tkvab12-p1",
                "tkvab12-p2");
        for (List<String> c : pods.upCommands()) {
            if (c.get(0).equals("ip") && c.get(1).equals("netns")) {
                assertThat(c.get(3)).startsWith("tkvab12-");
            } else {
                // ip -n NS ... / bridge -n NS ...: inside one of its namespaces
                assertThat(c.get(1)).as(String.join(" ", c)).isEqualTo("-n");
                assertThat(pods.namespaces()).contains(c.get(2));
            }
        }
    }

    @Test
    void eachNodeGetsWhatTheVxlanDriverProgramsForTheOther() {
        List<String> lines = pods.upCommands().stream().map(c -> String.join(" ", c)).toList();
        assertThat(lines).contains(
                "ip -n tkvab12-n1 link add vx0 address 02:00:0a:0c:00:01 type vxlan id 1 local 10.252.0.1 dev eth0"
                        + " dstport 4789 nolearning",
                "bridge -n tkvab12-n1 fdb append 02:00:0a:0c:00:02 dev vx0 dst 10.252.0.2",
                "ip -n tkvab12-n1 neigh add 10.12.2.0 lladdr 02:00:0a:0c:00:02 dev vx0 nud permanent",
                "ip -n tkvab12-n1 route add 10.12.2.0/24 via 10.12.2.0 dev vx0 onlink",
                "ip -n tkvab12-n2 route add 10.12.1.0/24 via 10.12.1.0 dev vx0 onlink",
                "ip -n tkvab12-p2 link add eth0 mtu 1450 type veth peer name veth2 mtu 1450 netns tkvab12-n2",
                "ip -n tkvab12-p1 route add default via 10.12.1.1");
        // the pods exist before the entries that lead to them
        assertThat(lines.indexOf("ip -n tkvab12-p2 addr add 10.12.2.2/24 dev eth0"))
                .isLessThan(lines.indexOf("ip -n tkvab12-n1 route add 10.12.2.0/24 via 10.12.2.0 dev vx0 onlink"));
    }

    @Test
    void aPrefixThatCouldNameSomethingElseIsRefused() {
        assertThat(new KernelVxlanPods(Path.of("/tmp/w")).namespaces().get(0)).matches("tkv[0-9a-f]{4}-u");
        assertThatThrownBy(() -> new KernelVxlanPods(Path.of("/tmp/w"), "x")).hasMessage(
                "prefix: 2 to 8 lower-case letters or digits, got 'x'");
        assertThatThrownBy(() -> new KernelVxlanPods(Path.of("/tmp/w"), "tl-1")).hasMessageContaining("'tl-1'");
    }
}
