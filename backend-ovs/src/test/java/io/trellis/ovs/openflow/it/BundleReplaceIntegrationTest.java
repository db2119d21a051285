package io.trellis.ovs.openflow.it;

import static io.trellis.ovs.openflow.it.ItSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.NettyTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table 1 decides where pod traffic goes. It is replaced again and again (delete everything, add
 * the new generation of flows) while a ping stream runs between two pods: replaced in a bundle,
 * not one probe is lost. The control case does the same replacement without a bundle, with a
 * short pause between the delete and the adds, and the probe does see the gap, which shows the
 * probe is able to notice one.
 */
class BundleReplaceIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(BundleReplaceIntegrationTest.class);
    private static final int TABLE = 1;
    private static final int FILLER_FLOWS = 500;

    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OpenFlowClient client;
    private Pod a;
    private Pod b;

    @BeforeEach
    void start() {
        sandbox = OvsSandbox.start();
        sandbox.addBridge("br0");
        a = sandbox.addPod("br0", "10.9.0.1/24", 1);
        b = sandbox.addPod("br0", "10.9.0.2/24", 2);
        // Static neighbours: the probe must depend on table 1 only, not on ARP.
        sandbox.execIn(a.netns(), "ip", "neigh", "replace", b.ipv4(), "lladdr", b.mac(), "dev", "eth0", "nud", "permanent");
        sandbox.execIn(b.netns(), "ip", "neigh", "replace", a.ipv4(), "lladdr", a.mac(), "dev", "eth0", "nud", "permanent");
        transport = new NettyTransport(1, "it-bundle");
        client = ItSupport.connect(transport, sandbox, "br0");
        await(client.flowMod(FlowMod.delete(OfConstants.TABLE_ALL, Match.ANY)));
        await(client.flowMods(List.of(FlowMod.add(0, 10, Match.builder().ethType(0x0800).build(),
                List.of(new Instruction.GotoTable(TABLE))))));
        await(client.flowMods(generation(1)));
        String ping = sandbox.execIn(a.netns(), "ping", "-c", "1", "-W", "2", b.ipv4());
        assertThat(ping).as("pods reach each other through table 1").contains("1 received");
    }

    @AfterEach
    void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (transport != null) {
                transport.close();
            }
        } finally {
            sandbox.close();
        }
    }

    @Test
    void bundleReplacesTableWithoutLosingOneProbe() {
        PingProbe probe = PingProbe.start(sandbox, a, b, 2500); // ~5 s
        ItSupport.sleep(300);
        int generation = 1;
        while (probe.running()) {
            generation++;
            List<FlowMod> replacement = new ArrayList<>();
            replacement.add(FlowMod.delete(TABLE, Match.ANY));
            replacement.addAll(generation(generation));
            await(client.bundle(replacement));
            ItSupport.sleep(20); // leave CPU to the datapath on small CI machines
        }
        PingProbe.Result result = probe.await();
        LOG.info("bundle replacement: {} generations, probe {}", generation - 1, result.output());

        assertThat(generation - 1).as("table replacements during the probe").isGreaterThanOrEqualTo(5);
        assertThat(result.transmitted()).isEqualTo(2500);
        assertThat(result.lost()).as("probes lost while replacing table 1 in bundles").isZero();
        long lastCookie = generation;
        List<OfctlFlow> table = ItSupport.ofctlFlows(sandbox, "br0", "table=" + TABLE);
        assertThat(table).hasSize(FILLER_FLOWS + 2).allSatisfy(f -> assertThat(f.cookie()).isEqualTo(lastCookie));
    }

    @Test
    void replacingWithoutBundleLeavesAGapTheProbeSees() {
        PingProbe probe = PingProbe.start(sandbox, a, b, 1000); // ~2 s
        ItSupport.sleep(300);
        int generation = 1;
        for (int i = 0; i < 3 && probe.running(); i++) {
            generation++;
            await(client.flowMod(FlowMod.delete(TABLE, Match.ANY)));
            ItSupport.sleep(150);
            await(client.flowMods(generation(generation)));
            ItSupport.sleep(100);
        }
        PingProbe.Result result = probe.await();
        LOG.info("non-atomic replacement: {} generations, probe {}", generation - 1, result.output());
        assertThat(result.lost()).as("probes lost in the gaps of non-atomic replacement").isPositive();
    }

    /** Table 1, generation g (the cookie): the two pod routes and filler flows that never match. */
    private List<FlowMod> generation(int g) {
        List<FlowMod> flows = new ArrayList<>();
        flows.add(route(g, b.ipv4(), b.ofport()));
        flows.add(route(g, a.ipv4(), a.ofport()));
        for (int i = 0; i < FILLER_FLOWS; i++) {
            flows.add(FlowMod.builder(FlowModCommand.ADD).tableId(TABLE).priority(50).cookie(g)
                    .match(Match.builder().ethType(0x0800).ipv4Dst("10.77." + (i / 250) + "." + (i % 250)).build())
                    .instructions(List.of()).build());
        }
        return flows;
    }

    private static FlowMod route(int g, String ip, int port) {
        return FlowMod.builder(FlowModCommand.ADD).tableId(TABLE).priority(100).cookie(g)
                .match(Match.builder().ethType(0x0800).ipv4Dst(ip).build())
                .instructions(List.of(Instruction.ApplyActions.of(Action.Output.to(port)))).build();
    }
}
