package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.bench.PolicyLabelLatencyBench.FlowLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PolicyLabelLatencyBenchTest {

    @Test
    void optionsDefaultToTheIssuesScaleAndParse() {
        PolicyLabelLatencyBench.Options defaults = PolicyLabelLatencyBench.Options.parse(new String[0]);
        assertThat(defaults).isEqualTo(new PolicyLabelLatencyBench.Options(10_000, 100, 4, false,
                Path.of("/tmp/trellis-bench-policy-lab"), null));
        PolicyLabelLatencyBench.Options o = PolicyLabelLatencyBench.Options.parse(new String[] {"--pods", "505",
                "--changes", "7", "--writers", "2", "--policies-first", "--lab-dir", "/tmp/l", "--report", "/tmp/x.md"});
        assertThat(o).isEqualTo(new PolicyLabelLatencyBench.Options(505, 7, 2, true, Path.of("/tmp/l"),
                Path.of("/tmp/x.md")));
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> PolicyLabelLatencyBench.Options.parse(new String[] {"--pods", "many"}))
                .hasMessageContaining("--pods").hasMessageContaining("'many'");
        assertThatThrownBy(() -> PolicyLabelLatencyBench.Options.parse(new String[] {"--pods", "5"}))
                .hasMessageContaining("--pods takes 6 to").hasMessageContaining("got 5");
        assertThatThrownBy(() -> PolicyLabelLatencyBench.Options.parse(new String[] {"--changes", "0"}))
                .hasMessageContaining("--changes");
        assertThatThrownBy(() -> PolicyLabelLatencyBench.Options.parse(new String[] {"--writers", "33"}))
                .hasMessageContaining("--writers");
        assertThatThrownBy(() -> PolicyLabelLatencyBench.Options.parse(new String[] {"--lab-dir"}))
                .hasMessageContaining("--lab-dir takes a path");
        assertThatThrownBy(() -> PolicyLabelLatencyBench.Options.parse(new String[] {"--fast"}))
                .hasMessageContaining("'--fast'");
    }

    // ------------------------------------------------------------------ flow monitor lines

    @Test
    void monitorLinesParseIntoEvents() {
        FlowEvent added = FlowEvent.parse(" event=ADDED table=8 cookie=0x7472080d0af40002 ip,nw_dst=10.244.0.2", 42)
                .orElseThrow();
        assertThat(added).isEqualTo(new FlowEvent(42, "ADDED", 8, 0x7472080d0af40002L, "ip,nw_dst=10.244.0.2"));
        assertThat(added.added()).isTrue();
        assertThat(added.deleted()).isFalse();
        assertThat(added.cookieKind()).isEqualTo(0x08);

        FlowEvent deleted = FlowEvent.parse(" event=DELETED reason=delete table=8 cookie=0x7472070d00000000 "
                + "ip,nw_src=10.244.0.3 actions=conjunction(1,2/2)", 7).orElseThrow();
        assertThat(deleted.event()).isEqualTo("DELETED");
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.table()).isEqualTo(8);
        assertThat(deleted.rest()).isEqualTo("ip,nw_src=10.244.0.3 actions=conjunction(1,2/2)");

        // A flow with neither match nor actions (a table-miss drop) ends after its cookie.
        FlowEvent bare = FlowEvent.parse(" event=INITIAL table=14 cookie=0x7472010b00000000", 1).orElseThrow();
        assertThat(bare.rest()).isEmpty();
        assertThat(bare.added()).isTrue();
        // The top cookie bit set: still parsed (unsigned).
        assertThat(FlowEvent.parse(" event=MODIFIED table=0 cookie=0xffff000000000001 in_port=1", 1).orElseThrow()
                .cookie()).isEqualTo(0xffff000000000001L);

        assertThat(FlowEvent.parse("OFPST_FLOW_MONITOR reply (OF1.5) (xid=0x0):", 1)).isEmpty();
        assertThat(FlowEvent.parse("NXT_FLOW_MONITOR_PAUSED (xid=0x0):", 1)).isEmpty();
        assertThat(FlowEvent.parse("", 1)).isEmpty();
    }

    @Test
    void isolationIsTheKindEightCookieWithThePodsAddress() {
        FlowEvent isolation = FlowEvent.parse(" event=ADDED table=8 cookie=0x7472080d0af40002 ip,nw_dst=10.244.0.2", 1)
                .orElseThrow();
        assertThat(isolation.isolates("10.244.0.2")).isTrue();
        assertThat(isolation.isolates("10.244.0.3")).isFalse();
        // Same object bits, another kind (a policy rule flow whose rule id happens to equal the address).
        FlowEvent rule = FlowEvent.parse(" event=ADDED table=8 cookie=0x7472070d0af40002 conj_id=1,ip", 1).orElseThrow();
        assertThat(rule.isolates("10.244.0.2")).isFalse();
        assertThat(FlowEvent.ipv4Bits("10.244.0.2")).isEqualTo(0x0af40002L);
        assertThat(FlowEvent.ipv4Bits("255.255.255.255")).isEqualTo(0xffffffffL);
        assertThatThrownBy(() -> FlowEvent.ipv4Bits("10.244.0")).hasMessageContaining("'10.244.0'");
        assertThatThrownBy(() -> FlowEvent.ipv4Bits("10.244.0.256")).hasMessageContaining("'10.244.0.256'");
    }

    @Test
    void sourceMatchIsExact() {
        FlowEvent peer = FlowEvent.parse(" event=ADDED table=8 cookie=0x7472070d00000000 ip,nw_src=10.244.0.3 "
                + "actions=conjunction(2,2/2)", 1).orElseThrow();
        assertThat(peer.fromSource("10.244.0.3")).isTrue();
        assertThat(peer.fromSource("10.244.0.31")).isFalse();
        assertThat(peer.fromSource("10.244.0.")).isFalse();
        FlowEvent target = FlowEvent.parse(" event=ADDED table=8 cookie=0x7472070d00000000 ip,nw_dst=10.244.0.3 "
                + "actions=conjunction(2,1/2)", 1).orElseThrow();
        assertThat(target.fromSource("10.244.0.3")).isFalse();
    }

    @Test
    void dumpLinesAreAskedAboutTheirMatch() {
        FlowLine isolation = new FlowLine(" cookie=0x7472080d0af40002, duration=7.085s, table=8, n_packets=0, "
                + "n_bytes=0, idle_age=7, priority=100,ip,nw_dst=10.244.0.2 actions=drop");
        assertThat(isolation.has("priority=100")).isTrue();
        assertThat(isolation.has("nw_dst=10.244.0.2")).isTrue();
        assertThat(isolation.has("nw_dst=10.244.0.20")).isFalse();
        assertThat(isolation.drops()).isTrue();
        assertThat(isolation.conjunction()).isFalse();
        assertThat(isolation.sourceIp()).isEmpty();
        FlowLine peer = new FlowLine(" cookie=0x7472070d00000000, duration=2.032s, table=8, n_packets=0, n_bytes=0, "
                + "idle_age=2, priority=200,ip,nw_src=10.201.0.1 actions=conjunction(2,2/2)");
        assertThat(peer.sourceIp()).contains("10.201.0.1");
        assertThat(peer.conjunction()).isTrue();
        assertThat(peer.drops()).isFalse();
    }

    // ------------------------------------------------------------------ the cluster

    @Test
    void phantomAddressesAreDistinctAndOutsideTheLabsRanges() {
        PhantomCluster cluster = new PhantomCluster(10_000);
        assertThat(cluster.phantoms()).isEqualTo(10_000 - PhantomCluster.REAL_PODS.size());
        assertThat(cluster.namespaces()).isEqualTo(101);
        assertThat(cluster.policies()).isEqualTo(102);
        Set<String> ips = new HashSet<>();
        Set<String> names = new HashSet<>();
        Set<String> nodes = new HashSet<>();
        Map<String, Integer> perNamespace = new LinkedHashMap<>();
        for (int i = 0; i < cluster.phantoms(); i++) {
            String ip = cluster.ip(i);
            int[] o = java.util.Arrays.stream(ip.split("\\.")).mapToInt(Integer::parseInt).toArray();
            assertThat(o[0]).isEqualTo(10);
            assertThat(o[1]).isEqualTo(201);   // not 244 (pods), 96 (Services), 250 (underlay)
            assertThat(o[3]).isBetween(1, 250);
            assertThat(PhantomCluster.isPhantomIp(ip)).isTrue();
            ips.add(ip);
            names.add(cluster.podNamespace(i) + "/" + cluster.podName(i));
            nodes.add(cluster.node(i));
            perNamespace.merge(cluster.podNamespace(i), 1, Integer::sum);
        }
        assertThat(ips).hasSize(cluster.phantoms());
        assertThat(names).hasSize(cluster.phantoms());
        assertThat(nodes).hasSize(PhantomCluster.PHANTOM_NODES).allMatch(n -> n.startsWith("bench-phantom-"))
                .doesNotContain(PhantomCluster.REAL_NODE);
        assertThat(perNamespace).hasSize(PhantomCluster.NAMESPACES);
        assertThat(perNamespace.values()).allMatch(n -> n == 99 || n == 100);
        assertThat(PhantomCluster.isPhantomIp("10.244.0.2")).isFalse();
        assertThatThrownBy(() -> cluster.ip(cluster.phantoms())).hasMessageContaining("phantom pod index 9995");
        assertThatThrownBy(() -> new PhantomCluster(PhantomCluster.MAX_PHANTOMS + 6)).hasMessageContaining("--pods");
        assertThat(new PhantomCluster(PhantomCluster.MAX_PHANTOMS + 5).ip(PhantomCluster.MAX_PHANTOMS - 1))
                .isEqualTo("10.201.255.250");
    }

    @Test
    void phantomPodIsRunningOnItsNodeWithItsAddressAndClientLabel() {
        PhantomCluster cluster = new PhantomCluster(1_005);
        Pod pod = cluster.phantomPod(123);
        assertThat(pod.getMetadata().getName()).isEqualTo("ph-123");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("bench-ph-23");
        assertThat(pod.getMetadata().getLabels()).containsEntry("role", "client");
        assertThat(pod.getSpec().getNodeName()).isEqualTo("bench-phantom-1");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(pod.getStatus().getPodIP()).isEqualTo("10.201.0.124");
        assertThat(pod.getStatus().getPodIPs()).extracting(p -> p.getIp()).containsExactly("10.201.0.124");
        NetworkPolicy policy = PhantomCluster.namespacePolicy(7);
        assertThat(policy.getMetadata().getNamespace()).isEqualTo("bench-ph-07");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(policy.getSpec().getIngress()).hasSize(1);
        assertThat(policy.getSpec().getIngress().get(0).getFrom().get(0).getNamespaceSelector()).isNull();
        assertThatThrownBy(() -> PhantomCluster.namespace(100)).hasMessageContaining("100");
    }

    @Test
    void realPodsArePinnedToNodeOneAndOnlyTheAnchorIsTargeted() {
        Object parsed = Serialization.unmarshal(PhantomCluster.realPodsManifest());
        assertThat(parsed).isInstanceOf(List.class);
        List<?> items = (List<?>) parsed;
        List<Pod> pods = items.stream().filter(Pod.class::isInstance).map(Pod.class::cast).toList();
        assertThat(pods).extracting(p -> p.getMetadata().getName())
                .containsExactlyElementsOf(PhantomCluster.REAL_PODS);
        assertThat(pods).allMatch(p -> p.getSpec().getNodeName().equals("node-1")
                && p.getMetadata().getNamespace().equals(PhantomCluster.NAMESPACE));
        assertThat(pods).filteredOn(p -> "on".equals(p.getMetadata().getLabels().get("bench-target")))
                .extracting(p -> p.getMetadata().getName()).containsExactly(PhantomCluster.ANCHOR_POD);
        assertThat(pods).noneMatch(p -> p.getMetadata().getLabels().containsKey("role")
                || p.getMetadata().getLabels().containsKey("bench-peer"));
        assertThat(items.stream().map(HasMetadata.class::cast).map(HasMetadata::getKind))
                .containsExactly("Namespace", "Pod", "Pod", "Pod", "Pod", "Pod");
    }

    @Test
    void policyTTakesClientsOfEveryNamespaceAndPTakesBenchPeers() {
        NetworkPolicy t = PhantomCluster.policyT();
        assertThat(t.getMetadata().getNamespace()).isEqualTo(PhantomCluster.NAMESPACE);
        assertThat(t.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of("bench-target", "on"));
        assertThat(t.getSpec().getPolicyTypes()).containsExactly("Ingress");
        var tPeer = t.getSpec().getIngress().get(0).getFrom().get(0);
        assertThat(tPeer.getNamespaceSelector()).isNotNull();
        assertThat(tPeer.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(tPeer.getNamespaceSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(tPeer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("role", "client"));
        NetworkPolicy p = PhantomCluster.policyP();
        assertThat(p.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of("bench-pod", "s"));
        var pPeer = p.getSpec().getIngress().get(0).getFrom().get(0);
        assertThat(pPeer.getNamespaceSelector()).isNull();
        assertThat(pPeer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("bench-peer", "on"));
    }

    // ------------------------------------------------------------------ report

    @Test
    void reportCarriesTheMeasuredNumbers() {
        PolicyLabelLatencyBench.Options o = new PolicyLabelLatencyBench.Options(10_000, 3, 4, false, Path.of("/tmp/l"),
                null);
        ThreadSamples enforcer = new ThreadSamples();
        enforcer.add("Full thread dump\n\"trellis-policy-enforcer\" #9\n\tat "
                + "io.trellis.ovs.pipeline.PolicyFlows.ruleFlows(X.java:1)\n", "trellis-policy-enforcer");
        JvmMemory agent = new JvmMemory(60_000, 262_144, 53_000, 300_000, 310_000);
        JvmMemory controller = new JvmMemory(30_720, 131_072, 40_000, 200_000, 210_000);
        PolicyLabelLatencyReport report = new PolicyLabelLatencyReport(o, new PhantomCluster(10_000),
                "1.00 2.00 3.00 (1, 5, 15 min)", "4.00 5.00 6.00 (1, 5, 15 min)", 3.25, 250.0, 300.5, 9_995, 10_120,
                10_126, List.of(new PolicyLabelLatencyReport.FillSample(10, 400, 350, Map.of("agent", 2.5))),
                new LatencySample("applied-to", millis(150, 200, 900)), new LatencySample("applied-to write",
                millis(10, 20, 30)), new LatencySample("peer", millis(100, 120, 140)),
                new LatencySample("peer write", millis(5, 6, 7)), 12.5, Map.of("agent", 8.25, "controller", 1.5),
                List.of(new PolicyLabelLatencyReport.Memory("agent", "after the fill", agent),
                        new PolicyLabelLatencyReport.Memory("controller", "after the fill", controller)),
                Map.of("agent `trellis-policy-enforcer`", enforcer), Map.of(), List.of("x cannot connect to a:80"), 0, 0);
        assertThat(report.summaryLine()).isEqualTo("policy-label-latency pods=10000 namespaces=101 policies=102 "
                + "address_group=9995 applied_to_p50_ms=200.0 applied_to_p99_ms=900.0 applied_to_max_ms=900.0 "
                + "peer_p50_ms=120.0 peer_p99_ms=140.0 peer_max_ms=140.0 pod_writes_s=250.0 full_state_s=300.5 "
                + "node_flows=10126 agent_heap_mib=58.6 controller_heap_mib=30.0");
        String md = report.markdown();
        assertThat(md).startsWith("## policy-label-latency\n")
                .contains("`./trellis bench policy-label-latency --pods 10000 --changes 3 --writers 4`")
                .contains("**10000 pods**: 5 real pods")
                .contains("9995 **phantom** pods")
                .contains("| 9995 phantom pods written | 250.0 s (40 pods/s) |")
                .contains("| node-1 holds a flow for every phantom address (from the write of policies t and p) | 300.5 s |")
                .contains("Why the policies come last")
                .contains("| flows on node-1's bridge after the fill / at the end | 10120 / 10126 |")
                .contains("| 10 | 400 | 350 | 2.5 |")
                .contains("| applied-to | 3 | 200.0 | 900.0 | 150.0 | 900.0 | 416.7 |")
                .contains("| peer write | 3 | 6.0 | 7.0 | 5.0 | 7.0 | 6.0 |")
                .contains("The 6 changes took 12.5 s of wall time; CPU seconds used meanwhile: agent 8.3, controller 1.5.")
                .contains("| agent, after the fill | 58.6 | 256.0 | 293.0 | 302.7 |")
                .contains("| 1 | `io.trellis.ovs.pipeline.PolicyFlows.ruleFlows` |")
                .contains("- x cannot connect to a:80\n")
                .contains("1.00 2.00 3.00 (1, 5, 15 min) at the start, 4.00 5.00 6.00 (1, 5, 15 min) at the end")
                .doesNotContain("paused");
        PolicyLabelLatencyReport first = new PolicyLabelLatencyReport(new PolicyLabelLatencyBench.Options(10_000, 3, 4,
                true, Path.of("/tmp/l"), null), report.cluster(), "l", "l", 1, 2, 3, 4, 5, 6, List.of(),
                report.appliedTo(), report.appliedToWrites(), report.peer(), report.peerWrites(), 1, Map.of(),
                report.memory(), Map.of(), Map.of(), List.of(), 2, 1);
        assertThat(first.markdown()).contains("--writers 4 --policies-first`")
                .contains("(from the first pod write) | 3.0 s |")
                .contains("2 time(s) during the fill, 1 during the changes.")
                .doesNotContain("Why the policies come last").doesNotContain("Progress of the fill");
    }

    private static List<Duration> millis(long... values) {
        return IntStream.range(0, values.length).mapToObj(i -> Duration.ofMillis(values[i])).toList();
    }
}
