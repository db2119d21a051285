package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.bench.ProgressObserver.Sample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ServiceScaleBenchTest {

    @Test
    void optionsDefaultToTheIssuesScaleAndParse() {
        ServiceScaleBench.Options defaults = ServiceScaleBench.Options.parse(new String[0]);
        assertThat(defaults.services()).isEqualTo(10_000);
        assertThat(defaults.endpoints()).isEqualTo(10);
        assertThat(defaults.changes()).isEqualTo(100);
        ServiceScaleBench.Options o = ServiceScaleBench.Options.parse(new String[] {"--services", "300", "--endpoints",
                "3", "--changes", "7", "--writers", "2", "--burst", "--report", "/tmp/x.md"});
        assertThat(o).isEqualTo(new ServiceScaleBench.Options(300, 3, 7, 2, true, Path.of("/tmp/x.md")));
        assertThat(defaults.burst()).isFalse();
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> ServiceScaleBench.Options.parse(new String[] {"--services", "ten"}))
                .hasMessageContaining("--services").hasMessageContaining("'ten'");
        assertThatThrownBy(() -> ServiceScaleBench.Options.parse(new String[] {"--services", "5", "--changes", "6"}))
                .hasMessageContaining("--changes");
        assertThatThrownBy(() -> ServiceScaleBench.Options.parse(new String[] {"--endpoints", "1"}))
                .hasMessageContaining("--endpoints");
        assertThatThrownBy(() -> ServiceScaleBench.Options.parse(new String[] {"--fast"})).hasMessageContaining("--fast");
    }

    @Test
    void changesTouchDistinctServicesSpreadOverAllTheLastIncluded() {
        ServiceScaleBench.Options o = new ServiceScaleBench.Options(10_000, 10, 100, 4, false, null);
        Set<Integer> touched = new HashSet<>();
        IntStream.range(0, 100).forEach(c -> touched.add(o.changed(c).index()));
        assertThat(touched).hasSize(100).contains(99, 9_999).allMatch(i -> i >= 0 && i < 10_000);
        ServiceScaleBench.Options all = new ServiceScaleBench.Options(5, 2, 5, 1, false, null);
        assertThat(IntStream.range(0, 5).map(c -> all.changed(c).index()).boxed().toList()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void thinKeepsFirstAndLastEvenlySpaced() {
        List<Integer> all = IntStream.range(0, 101).boxed().toList();
        assertThat(ServiceScaleReport.thin(all, 5)).containsExactly(0, 25, 50, 75, 100);
        assertThat(ServiceScaleReport.thin(List.of(1, 2), 5)).containsExactly(1, 2);
        assertThatThrownBy(() -> ServiceScaleReport.thin(all, 1)).hasMessageContaining("max 1");
    }

    @Test
    void backendOptionDefaultsToBothInThatOrder() {
        assertThat(ServiceScaleBench.Options.parse(new String[0]).backends())
                .containsExactly(BenchBackend.OVS, BenchBackend.IPTABLES);
        ServiceScaleBench.Options iptables = ServiceScaleBench.Options.parse(new String[] {"--backend", "iptables"});
        assertThat(iptables.backends()).containsExactly(BenchBackend.IPTABLES);
        assertThat(iptables.backendOption()).isEqualTo("iptables");
        assertThat(ServiceScaleBench.Options.parse(new String[] {"--backend", "ovs"}).backendOption()).isEqualTo("ovs");
        assertThat(ServiceScaleBench.Options.parse(new String[] {"--backend", "both"}).backendOption()).isEqualTo("both");
        assertThatThrownBy(() -> ServiceScaleBench.Options.parse(new String[] {"--backend", "nft"}))
                .hasMessageContaining("--backend").hasMessageContaining("'nft'");
        assertThatThrownBy(() -> new ServiceScaleBench.Options(10, 2, 1, 1, false, null,
                List.of(BenchBackend.OVS, BenchBackend.OVS))).hasMessageContaining("distinct");
    }

    private static ServiceScaleReport.BackendResult result(String backend, String meaning, double writes,
                                                           ServiceScaleReport.Phase first,
                                                           java.util.Optional<ServiceScaleReport.Phase> restart,
                                                           List<Long> changeMillis, JvmMemory memory,
                                                           Map<String, String> facts, long warnings) {
        return new ServiceScaleReport.BackendResult(backend, meaning, writes, first, restart,
                new LatencySample("change", changeMillis.stream().map(Duration::ofMillis).toList()),
                new LatencySample("write", List.of(Duration.ofMillis(40), Duration.ofMillis(50), Duration.ofMillis(60))),
                List.of(new ServiceScaleReport.Memory("after programming", memory)),
                List.of(new ClassHistogram.Row(20_000, 3_145_728, "java.lang.String")), warnings, facts);
    }

    @Test
    void reportHasAColumnPerBackend() {
        ServiceScaleBench.Options o = new ServiceScaleBench.Options(2000, 10, 3, 4, false, null);
        ThreadSamples services = new ThreadSamples();
        services.add("Full thread dump\n\"trellis-iptables-services\" #9\n\tat java.lang.ProcessImpl.waitFor(X.java:1)\n"
                + "\tat io.trellis.iptables.service.IptablesCommands.restore(X.java:2)\n", "trellis-iptables-services");
        ServiceScaleReport.Phase ovsStart = new ServiceScaleReport.Phase("agent ready", 20.0, 18.5, 19.25, 19.5, 19.75,
                List.of(new Sample(1, 0, 0, 0, 0, 0), new Sample(20, 4112, 2000, 12.5, 3.25, 8.5)), Map.of());
        ServiceScaleReport.Phase iptStart = new ServiceScaleReport.Phase("agent ready", 9.0, 30.5, 61.75, 60.0, 61.5,
                List.of(new Sample(3, 20_000, 2000, 40.5, 22.25, 1.5)), Map.of("trellis-iptables-services", services));
        ServiceScaleReport report = new ServiceScaleReport(o, "1.00 2.00 3.00 (1, 5, 15 min)",
                "4.00 5.00 6.00 (1, 5, 15 min)", List.of(
                        result("ovs", "2000 OpenFlow groups; 4112 flows (112 base + 2000 × 2)", 61.5, ovsStart,
                                java.util.Optional.empty(), List.of(150L, 200L, 900L),
                                new JvmMemory(60_000, 262_144, 53_000, 300_000, 310_000), Map.of(), 0),
                        result("iptables", "2000 `TRELLIS-SVC-` chains; 20000 `TRELLIS-SEP-` chains (2000 × 10)", 58.0,
                                iptStart, java.util.Optional.empty(), List.of(1500L, 2500L, 4000L),
                                new JvmMemory(50_000, 262_144, 40_000, 200_000, 250_000),
                                Map.of("one `iptables-save -t nat` of it", "1.25 s"), 2)));
        assertThat(report.summaryLines()).containsExactly(
                "service-scale backend=ovs services=2000 endpoints=10 mode=agent-start last_answer_s=19.3 writes_s=61.5 "
                        + "change_p50_ms=200.0 change_p99_ms=900.0 heap_after_gc_mib=58.6 rss_mib=293.0 peak_rss_mib=302.7",
                "service-scale backend=iptables services=2000 endpoints=10 mode=agent-start last_answer_s=61.8 "
                        + "writes_s=58.0 change_p50_ms=2500.0 change_p99_ms=4000.0 heap_after_gc_mib=48.8 rss_mib=195.3 "
                        + "peak_rss_mib=244.1");
        String md = report.markdown();
        assertThat(md).startsWith("## service-scale\n")
                .contains("`./trellis bench service-scale --services 2000 --endpoints 10 --changes 3 --writers 4 "
                        + "--backend both`")
                .contains("| 2000 Services × 10 endpoints | ovs | iptables |\n| --- | ---: | ---: |\n")
                .contains("| writing the Services and slices, s (the agent stopped) | 61.5 | 58.0 |")
                .contains("| the agent ready / all written, s | 20.0 | 9.0 |")
                .contains("| **last Service answers, s** | **19.3** | **61.8** |")
                .contains("| the data plane holds every entry (OVS flows / SEP chains), s | 19.8 | 61.5 |")
                .contains("| what the two counts are | 2000 OpenFlow groups; 4112 flows (112 base + 2000 × 2) | 2000 "
                        + "`TRELLIS-SVC-` chains; 20000 `TRELLIS-SEP-` chains (2000 × 10) |")
                .contains("| endpoint change, p50 ms | 200.0 | 2500.0 |")
                .contains("| endpoint change, p99 ms | 900.0 | 4000.0 |")
                .contains("| endpoint change, min / mean / max ms | 150.0 / 416.7 / 900.0 | 1500.0 / 2666.7 / 4000.0 |")
                .contains("| agent heap used after GC / RSS / peak RSS MiB, after programming | 58.6 / 293.0 / 302.7 "
                        + "| 48.8 / 195.3 / 244.1 |")
                .contains("| one `iptables-save -t nat` of it | - | 1.25 s |")
                .contains("| warnings of the Service sync in the agent log | 0 | 2 |")
                .contains("### ovs\n").contains("### iptables\n")
                .contains("| s | groups | flows | agent CPU s | ovs-vswitchd CPU s | API stand-in CPU s |")
                .contains("| 20 | 2000 | 4112 | 12.5 | 3.3 | 8.5 |")
                .contains("| s | SVC chains | SEP chains | agent CPU s | iptables tools CPU s | API stand-in CPU s |")
                .contains("| 3 | 2000 | 20000 | 40.5 | 22.3 | 1.5 |")
                .contains("| 1 | `java.lang.ProcessImpl.waitFor <- io.trellis.iptables.service.IptablesCommands.restore` |")
                .contains("| `java.lang.String` | 20000 | 3.0 |")
                .contains("1.00 2.00 3.00 (1, 5, 15 min) at the start, 4.00 5.00 6.00 (1, 5, 15 min) at the end")
                .doesNotContain("restart from scratch (from the agent's start)*");
        assertThat(md.indexOf("### ovs")).isLessThan(md.indexOf("### iptables"));
    }

    @Test
    void burstReportAddsTheRestartRowsAndOneBackendHasOneColumn() {
        ServiceScaleBench.Options o = new ServiceScaleBench.Options(300, 3, 2, 4, true, null,
                List.of(BenchBackend.IPTABLES));
        ServiceScaleReport.Phase burst = new ServiceScaleReport.Phase("all written", 30.0, 1.5, 42.25, 43.0, 44.0,
                List.of(new Sample(1, 0, 0, 0, 0, 0)), Map.of());
        ServiceScaleReport.Phase restart = new ServiceScaleReport.Phase("agent ready", 8.0, 9.5, 10.25, 10.0, 10.5,
                List.of(new Sample(1, 900, 300, 2, 1, 0)), Map.of());
        ServiceScaleReport report = new ServiceScaleReport(o, "load", "load", List.of(result("iptables", "m", 30.0, burst,
                java.util.Optional.of(restart), List.of(150L, 250L),
                new JvmMemory(120_000, 262_144, 53_000, 400_000, 420_000), Map.of(), 0)));
        assertThat(report.summaryLines()).singleElement().asString()
                .startsWith("service-scale backend=iptables services=300 endpoints=3 mode=burst last_answer_s=42.3");
        assertThat(report.markdown())
                .contains("--writers 4 --burst --backend iptables`\n")
                .contains("| 300 Services × 3 endpoints | iptables |\n| --- | ---: |\n")
                .contains("| writing the Services and slices, s (the agent running) | 30.0 |")
                .contains("| *burst (from the first write)* |  |")
                .contains("| *restart from scratch (from the agent's start)* |  |")
                .contains("| **last Service answers, s** | **42.3** |\n")
                .contains("| **last Service answers, s** | **10.3** |\n")
                .contains("Progress, restart from scratch (from the agent's start):")
                .doesNotContain("### ovs");
    }
}
