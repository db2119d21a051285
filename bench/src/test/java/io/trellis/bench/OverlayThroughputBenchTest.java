package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.bench.OverlayThroughputReport.BackendResult;
import io.trellis.bench.OverlayThroughputReport.SetupResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayThroughputBenchTest {

    private static Iperf3Result mbps(double mbps, long retransmits) {
        return new Iperf3Result(mbps * 1e6, mbps * 1e6 * 1.01, retransmits, 10.0, 1, 1398);
    }

    /** 40 s of wall time on 2 CPUs: 20 s user, 30 s system, 10 s irq, 20 s idle; ovs-vswitchd used 30 s. */
    private static CpuUsage cpu(String busiest, double seconds) {
        return new CpuUsage(40, 2, 20, 30, 10, 20, 0, Map.of(busiest, seconds, "java", 2.0), 12);
    }

    private static SetupResult setup(String name, int mtu, CpuUsage cpu, Iperf3Result... runs) {
        return new SetupResult(name, "path of " + name, List.of(runs), mtu,
                name.contains("ovs") ? "tx-csum off, tso off" : "tx-csum on, tso on", cpu);
    }

    private static OverlayThroughputReport report(List<BackendResult> backends) {
        return new OverlayThroughputReport(10, "both", backends, "0.50 0.40 0.30 (1, 5, 15 min)",
                "1.50 0.60 0.35 (1, 5, 15 min)", "ovs-two-node-lab.sh");
    }

    private static BackendResult ovs() {
        return new BackendResult("ovs",
                setup("trellis-ovs", 1450, cpu("ovs-vswitchd", 30), mbps(311, 17), mbps(322, 18), mbps(333, 19)),
                setup("recipe-ovs", 1450, cpu("ovs-vswitchd", 28), mbps(411, 27), mbps(422, 28), mbps(433, 29)));
    }

    private static BackendResult iptables() {
        return new BackendResult("iptables",
                setup("trellis-iptables", 1450, cpu("ksoftirqd", 4), mbps(3000, 5), mbps(1000, 300), mbps(2000, 7)),
                setup("kernel-vxlan", 1450, cpu("ksoftirqd", 3), mbps(4000, 1), mbps(5000, 2), mbps(4500, 3)));
    }

    @Test
    void optionsHaveDefaultsAndNameBadValues() {
        OverlayThroughputBench.Options defaults = OverlayThroughputBench.Options.parse(new String[0]);
        assertThat(defaults.seconds()).isEqualTo(10);
        assertThat(defaults.runs()).isEqualTo(3);
        assertThat(defaults.recipe()).isNull();
        assertThat(defaults.backends()).containsExactly(BenchBackend.OVS, BenchBackend.IPTABLES);
        assertThat(defaults.backendOption()).isEqualTo("both");
        OverlayThroughputBench.Options given = OverlayThroughputBench.Options.parse(new String[] {"--seconds", "5",
                "--runs", "4", "--recipe", "/r.sh", "--report", "b.md", "--backend", "iptables"});
        assertThat(given.seconds()).isEqualTo(5);
        assertThat(given.runs()).isEqualTo(4);
        assertThat(given.recipe()).isEqualTo(Path.of("/r.sh"));
        assertThat(given.report()).isEqualTo(Path.of("b.md"));
        assertThat(given.backends()).containsExactly(BenchBackend.IPTABLES);
        assertThat(given.backendOption()).isEqualTo("iptables");
        assertThat(OverlayThroughputBench.Options.parse(new String[] {"--backend", "ovs"}).backends())
                .containsExactly(BenchBackend.OVS);
        assertThat(OverlayThroughputBench.Options.parse(new String[] {"--backend", "both"}).backendOption())
                .isEqualTo("both");

        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--backend", "linux-bridge"}))
                .hasMessage("--backend takes ovs, iptables or both, got 'linux-bridge'");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--backend"}))
                .hasMessage("--backend takes ovs, iptables or both, got 'null'");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--seconds", "ten"}))
                .hasMessage("--seconds takes a whole number, got 'ten'");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--runs", "0"}))
                .hasMessage("--runs takes 1 to 50, got 0");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--recipe"}))
                .hasMessage("--recipe takes a path");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--streams", "2"}))
                .hasMessageContaining("unknown option '--streams'").hasMessageContaining("--backend ovs|iptables|both");
    }

    @Test
    void medianMinMaxAndRetransmitsOfEachSetupAndTheRatio() {
        BackendResult b = iptables();
        assertThat(b.trellis().medianMbps()).isEqualTo(2000.0);
        assertThat(b.trellis().minMbps()).isEqualTo(1000.0);
        assertThat(b.trellis().maxMbps()).isEqualTo(3000.0);
        assertThat(b.trellis().medianRetransmits()).isEqualTo(7.0);
        assertThat(b.baseline().medianMbps()).isEqualTo(4500.0);
        assertThat(b.ratio()).isCloseTo(0.4444, org.assertj.core.data.Offset.offset(1e-4));

        SetupResult even = setup("x", 1450, cpu("y", 1), mbps(100, 1), mbps(300, 4));
        assertThat(even.medianMbps()).isEqualTo(200.0);
        assertThat(even.medianRetransmits()).isEqualTo(2.5);
    }

    @Test
    void oneMachineReadableLinePerBackend() {
        assertThat(report(List.of(ovs(), iptables())).summaryLines()).containsExactly(
                "overlay-throughput backend=ovs seconds=10 runs=3 trellis_mbps=322 trellis_min_mbps=311"
                        + " trellis_max_mbps=333 trellis_retransmits=18 trellis_cpu_busy_pct=75 baseline=recipe-ovs"
                        + " baseline_mbps=422 baseline_min_mbps=411 baseline_max_mbps=433 baseline_retransmits=28"
                        + " baseline_cpu_busy_pct=75 ratio=0.76 trellis_pod_mtu=1450 baseline_pod_mtu=1450",
                "overlay-throughput backend=iptables seconds=10 runs=3 trellis_mbps=2000 trellis_min_mbps=1000"
                        + " trellis_max_mbps=3000 trellis_retransmits=7 trellis_cpu_busy_pct=75 baseline=kernel-vxlan"
                        + " baseline_mbps=4500 baseline_min_mbps=4000 baseline_max_mbps=5000 baseline_retransmits=2"
                        + " baseline_cpu_busy_pct=75 ratio=0.44 trellis_pod_mtu=1450 baseline_pod_mtu=1450");
    }

    @Test
    void unevenRunCountsAreRejected() {
        BackendResult two = new BackendResult("ovs", setup("a", 1450, cpu("y", 1), mbps(1, 0), mbps(2, 0)),
                setup("b", 1450, cpu("y", 1), mbps(1, 0), mbps(2, 0)));
        assertThatThrownBy(() -> report(List.of(ovs(), two)))
                .hasMessage("runs: every setup needs 3, a has 2, b 2");
        assertThatThrownBy(() -> new BackendResult("ovs", setup("a", 1450, cpu("y", 1), mbps(1, 0)),
                setup("b", 1450, cpu("y", 1))).ratio()).hasMessage("b: no runs");
        assertThatThrownBy(() -> report(List.of())).hasMessage("backends: at least one");
    }

    @Test
    void theReportSectionListsEverySetupAndRunAndKeepsTheOtherSections(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("docs/benchmarks.md");
        BenchReport report = new BenchReport(file);
        report.writeSection("cni-latency", "## cni-latency\nkept as it was");
        OverlayThroughputReport r = report(List.of(ovs(), iptables()));

        report.writeSection(OverlayThroughputBench.NAME, r.markdown());
        report.writeSection(OverlayThroughputBench.NAME, r.markdown());

        String doc = Files.readString(file);
        assertThat(doc).contains("kept as it was");
        assertThat(doc.split("<!-- bench:overlay-throughput begin -->", -1)).hasSize(2);
        assertThat(doc).contains("## overlay-throughput")
                .contains("Command: `./trellis bench overlay-throughput --backend both --seconds 10 --runs 3`")
                .contains("`ovs-two-node-lab.sh`")
                .contains("| trellis-ovs | path of trellis-ovs | 1450 | 1398 | tx-csum off, tso off | 322 | 311 | 333 | 18"
                        + " | 0.76 |")
                .contains("| recipe-ovs | path of recipe-ovs | 1450 | 1398 | tx-csum off, tso off | 422 | 411 | 433 | 28 |  |")
                .contains("| trellis-iptables | path of trellis-iptables | 1450 | 1398 | tx-csum on, tso on | 2000 | 1000"
                        + " | 3000 | 7 | 0.44 |")
                .contains("| kernel-vxlan | path of kernel-vxlan | 1450 | 1398 | tx-csum on, tso on | 4500 | 4000 | 5000"
                        + " | 2 |  |")
                .contains("| run | trellis-ovs | recipe-ovs | trellis-iptables | kernel-vxlan |")
                .contains("| 1 | 311 (17) | 411 (27) | 3000 (5) | 4000 (1) |")
                .contains("| 3 | 333 (19) | 433 (29) | 2000 (7) | 4500 (3) |")
                .contains("CPU during each setup's runs (2 CPUs;")
                .contains("| trellis-ovs | 40 | busy 75% (user 25%, system 38%, irq+softirq 13%) | 30% |"
                        + " ovs-vswitchd 75%, java 5% |")
                .contains("| kernel-vxlan | 40 | busy 75% (user 25%, system 38%, irq+softirq 13%) | 30% |"
                        + " ksoftirqd 8%, java 5% |")
                .contains("when the run started: 0.50 0.40 0.30 (1, 5, 15 min); when it ended: 1.50 0.60 0.35")
                .contains(String.join("\n", r.summaryLines()));
        assertThat(doc.indexOf("## cni-latency")).isLessThan(doc.indexOf("## overlay-throughput"));
    }

    @Test
    void oneBackendAloneRendersItsOwnCommandAndLine() {
        OverlayThroughputReport r = new OverlayThroughputReport(5, "iptables", List.of(iptables()), "a", "b",
                "ovs-two-node-lab.sh");
        assertThat(r.markdown()).contains("--backend iptables --seconds 5 --runs 3").doesNotContain("| trellis-ovs |");
        assertThat(r.summaryLines()).hasSize(1).allMatch(l -> l.startsWith("overlay-throughput backend=iptables "));
    }

    @Test
    void teardownClosesLastFirstOnceAndPastAFailure() {
        List<String> closed = new ArrayList<>();
        Teardown teardown = new Teardown();
        teardown.register(() -> closed.add("first"));
        teardown.register(() -> {
            closed.add("second");
            throw new IllegalStateException("down failed");
        });
        teardown.register(() -> closed.add("third"));

        teardown.close();
        teardown.close();

        assertThat(closed).containsExactly("third", "second", "first");
        assertThatThrownBy(() -> teardown.register(() -> closed.add("late"))).hasMessage("already torn down");
    }

    @Test
    void theClientCommandIsOneTcpStreamForTheGivenTime() {
        PodPair pods = new PodPair(new PodEndpoint("c-ns", "10.0.1.2", 1450), new PodEndpoint("s-ns", "10.0.2.2", 1450));
        assertThat(Iperf3Run.clientCommand(pods, 7, 1)).containsExactly("ip", "netns", "exec", "c-ns", "iperf3",
                "--client", "10.0.2.2", "--port", "5201", "--time", "7", "--omit", "1", "--parallel", "1",
                "--connect-timeout", "5000", "--json");
    }

    @Test
    void podOffloadsAreSummedUpFromEthtool() {
        String ethtool = """
                Features for eth0:
                rx-checksumming: on
                tx-checksumming: off
                	tx-checksum-ipv4: off [fixed]
                scatter-gather: on
                tcp-segmentation-offload: on
                	tx-tcp-segmentation: off [requested on]
                	tx-tcp-accecn-segmentation: on
                generic-segmentation-offload: on
                generic-receive-offload: off
                """;
        assertThat(PodOffloads.summary(ethtool)).isEqualTo("tx-csum off, tso off, gso on, gro off");
        assertThatThrownBy(() -> PodOffloads.summary("Cannot get device features")).hasMessageContaining(
                "names none of [tx-checksumming, tx-tcp-segmentation");
    }

    @Test
    void theLabIsBroughtUpWithTheBackendAndNamedAfterIt() {
        assertThat(new TrellisLabPods(Path.of("/h"), Path.of("/w/lab-iptables"), "iptables").name())
                .isEqualTo("trellis-iptables");
        assertThatThrownBy(() -> new TrellisLabPods(Path.of("/h"), Path.of("/w"), "linux-bridge"))
                .hasMessage("backend: ovs or iptables, got 'linux-bridge'");
    }
}
