package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.spi.policy.Direction;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PolicyFlowsTest {

    private final PipelineFlows pipelineFlows = new PipelineFlows(Pipeline.withPolicy(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private final PolicyFlows flows = PolicyFlows.of(pipelineFlows);
    private final int ingress = Pipeline.withPolicy().table(PipelineStage.INGRESS_POLICY);

    private static Inet4Address ip(String s) {
        return Ipv4Subnet.parseAddress(s);
    }

    private static PolicyRuleSpec.L4Match tcp(int port) {
        return new PolicyRuleSpec.L4Match(6, Optional.of(new PolicyMatches.MaskedPort(port, 0xffff)));
    }

    private List<String> lines(List<FlowMod> mods) {
        return mods.stream().map(f -> FlowLine.of(f).toString()).toList();
    }

    @Test
    void identicalClausesOfSeveralRulesAreOneFlowWithEveryConjunction() {
        PolicyRuleSpec a = new PolicyRuleSpec(1, Direction.INGRESS, List.of(ip("10.20.0.11")),
                Optional.of(List.of(Ipv4Subnet.parse("10.0.0.0/8"))), Optional.of(List.of(tcp(80))));
        PolicyRuleSpec b = new PolicyRuleSpec(2, Direction.INGRESS, List.of(ip("10.20.0.11")), Optional.empty(),
                Optional.of(List.of(tcp(80), tcp(443))));
        List<String> out = lines(flows.ruleFlows(List.of(a, b), List.of()));
        assertThat(out).filteredOn(l -> l.contains("nw_dst=10.20.0.11 ")).singleElement().asString()
                .endsWith("actions=conjunction(1,1/3),conjunction(2,1/2)");
        assertThat(out).filteredOn(l -> l.contains("tp_dst=80 ")).singleElement().asString()
                .endsWith("actions=conjunction(1,3/3),conjunction(2,2/2)");
        assertThat(out).filteredOn(l -> l.contains("conj_id=")).hasSize(2);
        // No (table, priority, match) twice: OVS would keep only one of them.
        assertThat(flows.ruleFlows(List.of(a, b), List.of()).stream().map(PolicyFlows::key)).doesNotHaveDuplicates();
    }

    @Test
    void aRuleWithOnlyTargetsIsAPlainFlowAndTheLowestIdWinsIdenticalOnes() {
        PolicyRuleSpec a = new PolicyRuleSpec(7, Direction.EGRESS, List.of(ip("10.20.0.21")), Optional.empty(),
                Optional.empty());
        PolicyRuleSpec b = new PolicyRuleSpec(3, Direction.EGRESS, List.of(ip("10.20.0.21")), Optional.empty(),
                Optional.empty());
        List<String> out = lines(flows.ruleFlows(List.of(a, b), List.of()));
        assertThat(out).filteredOn(l -> l.contains("priority=201")).singleElement().asString()
                .contains("nw_src=10.20.0.21 actions=set_field:0x3->reg4,goto_table:");
        assertThat(out).noneMatch(l -> l.contains("conjunction"));
    }

    @Test
    void flowCountGrowsWithTheSumOfPeersAndPortsNotTheProduct() {
        List<Ipv4Subnet> peers = IntStream.range(0, 100).mapToObj(i -> Ipv4Subnet.parse("192.168." + i + ".0/24"))
                .toList();
        List<PolicyRuleSpec.L4Match> ports = IntStream.range(0, 50).mapToObj(i -> tcp(1000 + i * 7)).toList();
        List<Inet4Address> targets = List.of(ip("10.20.0.11"), ip("10.20.0.12"), ip("10.20.0.13"));
        PolicyRuleSpec rule = new PolicyRuleSpec(1, Direction.INGRESS, targets, Optional.of(peers),
                Optional.of(ports));
        // 3 + 100 + 50 clauses, one conj_id flow, one metering flow.
        assertThat(flows.ruleFlows(List.of(rule), List.of())).hasSize(3 + 100 + 50 + 1 + 1);
    }

    @Test
    void emptyDimensionsMatchNothingAndIsolationDropsPerPod() {
        PolicyRuleSpec nobody = new PolicyRuleSpec(1, Direction.INGRESS, List.of(ip("10.20.0.11")),
                Optional.of(List.of()), Optional.empty());
        List<String> out = lines(flows.ruleFlows(List.of(nobody), List.of(
                new PolicyIsolation(ip("10.20.0.11"), Direction.INGRESS),
                new PolicyIsolation(ip("10.20.0.11"), Direction.INGRESS),
                new PolicyIsolation(ip("10.20.0.21"), Direction.EGRESS))));
        int egress = Pipeline.withPolicy().table(PipelineStage.EGRESS_POLICY);
        // The rule allowing nobody has no flow; the pod isolated twice has one drop.
        assertThat(out).containsExactlyInAnyOrder(
                "cookie=0x7472080d0a14000b, table=" + ingress + ", priority=100,ip,nw_dst=10.20.0.11 actions=drop",
                "cookie=0x7472070c00000000, table=" + egress + ", priority=250,ip,nw_src=10.20.0.21,nw_dst=10.20.0.21"
                        + " actions=goto_table:" + (egress + 1),
                "cookie=0x7472080c0a140015, table=" + egress + ", priority=100,ip,nw_src=10.20.0.21 actions=drop");
    }

    @Test
    void everyFlowIsAcceptedByOvsOfctl() throws Exception {
        List<PolicyRuleSpec> rules = new ArrayList<>();
        rules.add(new PolicyRuleSpec(1, Direction.INGRESS, List.of(ip("10.20.0.11")),
                Optional.of(PolicyMatches.minus(Ipv4Subnet.parse("10.0.0.0/8"), List.of(Ipv4Subnet.parse("10.20.0.0/16")))),
                Optional.of(PolicyMatches.portRange(8000, 8100).stream()
                        .map(m -> new PolicyRuleSpec.L4Match(17, Optional.of(m))).toList())));
        rules.add(new PolicyRuleSpec(2, Direction.EGRESS, List.of(ip("10.20.0.21")), Optional.empty(),
                Optional.of(List.of(new PolicyRuleSpec.L4Match(132, Optional.empty())))));
        List<FlowMod> all = new ArrayList<>(pipelineFlows.nodeFlows(NodeNetwork.of(1, "10.20.0.1", "0a:58:0a:14:00:01",
                "10.20.0.0/24")));
        all.addAll(flows.ruleFlows(rules, List.of(new PolicyIsolation(ip("10.20.0.11"), Direction.INGRESS))));
        Path file = Files.createTempFile("policy-flows", ".txt");
        try {
            List<String> text = new ArrayList<>();
            for (FlowMod f : all) {
                FlowLine l = FlowLine.of(f);
                text.add("table=" + l.table() + ",priority=" + l.priority() + ",cookie=0x" + Long.toHexString(l.cookie())
                        + (l.match().isEmpty() ? "" : "," + l.match()) + ",actions=" + l.actions());
            }
            Files.write(file, text);
            Process p = new ProcessBuilder("ovs-ofctl", "-O", "OpenFlow15", "parse-flows", file.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            assertThat(output).contains("conjunction(1,3/3)").contains("ct_label").contains("sctp");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void generationFlowsSitAboveEveryPolicyFlowOfBothStagesAndRotateTheirCtMarkBit() {
        List<String> g5 = lines(flows.generationFlows(5));
        assertThat(g5).hasSize(2).allMatch(l -> l.contains("priority=260,ct_state=-trk,ct_mark=0x20/0x20 actions=drop"));
        assertThat(g5).anyMatch(l -> l.contains("table=" + ingress + ","))
                .anyMatch(l -> l.contains("table=" + Pipeline.withPolicy().table(PipelineStage.EGRESS_POLICY) + ","));
        assertThat(lines(flows.generationFlows(6))).allMatch(l -> l.contains("ct_mark=0x40/0x40"));
        assertThat(lines(flows.generationFlows(5 + PolicyFlows.GENERATIONS))).isEqualTo(g5);
        // Above the passes (250) and the rules: every lookup in the stage examines it first.
        assertThat(PolicyFlows.PRIORITY_GENERATION).isGreaterThan(PolicyFlows.PRIORITY_PASS);
    }
}
