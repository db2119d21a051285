package io.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.testing.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AgentNode} on the kernel data plane ({@code withIptables()}): no OVS, pods on the Linux
 * bridge reach each other, the Service proxy's chains can be removed with the agent stopped while the
 * bridge's own rules stay, and closing the node removes its namespaces and run directory.
 */
class IptablesAgentNodeIT {

    @Test
    void kernelDataPlaneNodeAttachesPodsRemovesServiceChainsAndCleansUp() {
        AgentNode node = AgentNode.start(TrellisHome.locate(),
                new AgentNode.Options("10.95.0.0/24", "192.168.95.2", 1450).withServiceProxy().withIptables());
        String netns = node.netns();
        Path runDir;
        try {
            runDir = node.config().getParent().getParent();   // <node run dir>/agent/trellis-agent.yaml
            assertThat(netns).matches("tin[0-9a-f]{6}");
            assertThatThrownBy(node::sandbox).hasMessageContaining("no OVS");
            assertThat(node.linkExists(netns, AgentNode.LINUX_BRIDGE)).isTrue();
            assertThat(node.linkExists(netns, AgentNode.BRIDGE)).as("no OVS bridge").isFalse();

            AttachedPod a = node.addPod("it", "a");
            AttachedPod b = node.addPod("it", "b");
            assertThat(a.netns().name()).startsWith(netns + "p");
            CommandResult ping = node.exec(a.netns().name(), List.of("ping", "-c", "1", "-W", "3", b.ip()));
            assertThat(ping.succeeded()).as("ping a -> b: %s", ping).isTrue();

            assertThat(natTable(node)).contains(":TRELLIS-SERVICES ").contains(":TRELLIS-MASQ ");
            assertThatThrownBy(node::removeServiceChains).hasMessageContaining("still running");
            node.agent().stop(Duration.ofSeconds(30));
            node.removeServiceChains();
            String after = natTable(node);
            assertThat(after).doesNotContain("TRELLIS-SERVICES").doesNotContain("TRELLIS-SVC-POSTROUTING")
                    .contains(":TRELLIS-MASQ ");
            node.startAgent();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!natTable(node).contains(":TRELLIS-SERVICES ") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(natTable(node)).as("the restarted agent writes its chains again").contains(":TRELLIS-SERVICES ");
        } finally {
            node.close();
        }
        assertThat(new io.trellis.ovs.testing.CommandRunner(java.util.Map.of(), Duration.ofSeconds(30))
                .run(List.of("ip", "netns", "list")).stdout()).doesNotContain(netns);
        assertThat(Files.exists(runDir)).isFalse();
    }

    private static String natTable(AgentNode node) {
        return node.exec(node.netns(), List.of("iptables-save", "-t", "nat")).stdoutOrThrow();
    }
}
