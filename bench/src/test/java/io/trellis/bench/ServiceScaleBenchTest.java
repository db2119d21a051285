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
    void reportCarriesTheMeasuredNumbers() {
        ServiceScaleBench.Options o = new ServiceScaleBench.Options(2000, 10, 3, 4, true, null);
        ThreadSamples services = new ThreadSamples();
        services.add("Full thread dump\n\"trellis-services\" #9\n\tat io.trellis.ovs.service.OvsServiceProxy.await(X.java:1)\n",
                "trellis-services");
        ServiceScaleReport.Phase burst = new ServiceScaleReport.Phase("all written", 61.5, 2.25, 62.75, 63.0, 63.5,
                List.of(new Sample(0, 112, 0, 0, 0, 0), new Sample(63, 4112, 2000, 12.5, 3.25, 8.5)),
                Map.of("trellis-services", services));
        ServiceScaleReport.Phase restart = new ServiceScaleReport.Phase("agent ready", 20.0, 18.5, 19.25, 19.5, 19.75,
                List.of(new Sample(1, 0, 0, 0, 0, 0)), Map.of());
        JvmMemory memory = new JvmMemory(60_000, 262_144, 53_000, 300_000, 310_000);
        ServiceScaleReport report = new ServiceScaleReport(o, "1.00 2.00 3.00 (1, 5, 15 min)", "4.00 5.00 6.00 (1, 5, 15 min)",
                new OvsCounts(112, 0), 2, 61.5, burst, java.util.Optional.of(restart),
                new LatencySample("change", List.of(Duration.ofMillis(150), Duration.ofMillis(200), Duration.ofMillis(900))),
                new LatencySample("write", List.of(Duration.ofMillis(40), Duration.ofMillis(50), Duration.ofMillis(60))),
                List.of(new ServiceScaleReport.Memory("after the burst", memory)),
                List.of(new ClassHistogram.Row(20_000, 3_145_728, "java.lang.String")), 0);
        assertThat(report.summaryLine()).isEqualTo("service-scale services=2000 endpoints=10 mode=burst "
                + "last_answer_s=62.8 writes_s=61.5 change_p50_ms=200.0 change_p99_ms=900.0 "
                + "heap_after_gc_mib=58.6 rss_mib=293.0 peak_rss_mib=302.7");
        String md = report.markdown();
        assertThat(md).startsWith("## service-scale\n")
                .contains("`./trellis bench service-scale --services 2000 --endpoints 10 --changes 3 --writers 4 --burst`")
                .contains("| **last Service answers** | 62.8 | 19.3 |")
                .contains("Writing the 2000 Services and 2000 slices took 61.5 s (the agent running).")
                .contains("| OVS holds all 4112 flows (112 base + 2000 × 2) | 63.5 | 19.8 |")
                .contains("| 63 | 2000 | 4112 | 12.5 | 3.3 | 8.5 |")
                .contains("| change | 3 | 200.0 | 900.0 | 150.0 | 900.0 | 416.7 |")
                .contains("| after the burst | 58.6 | 256.0 | 51.8 | 293.0 | 302.7 |")
                .contains("| 1 | `io.trellis.ovs.service.OvsServiceProxy.await` |")
                .contains("| `java.lang.String` | 20000 | 3.0 |")
                .contains("1.00 2.00 3.00 (1, 5, 15 min) at the start, 4.00 5.00 6.00 (1, 5, 15 min) at the end")
                .contains("the same 10 pod\nIPs in every Service");
    }

    @Test
    void fromScratchReportHasOneColumnAndSaysTheAgentWasStopped() {
        ServiceScaleBench.Options o = new ServiceScaleBench.Options(10_000, 10, 2, 4, false, null);
        ServiceScaleReport.Phase start = new ServiceScaleReport.Phase("agent ready", 30.0, 41.5, 42.25, 43.0, 44.0,
                List.of(new Sample(1, 0, 0, 0, 0, 0), new Sample(44, 20112, 10000, 30.5, 2.5, 9.0)), Map.of());
        JvmMemory memory = new JvmMemory(120_000, 262_144, 53_000, 400_000, 420_000);
        ServiceScaleReport report = new ServiceScaleReport(o, "load", "load", new OvsCounts(112, 0), 2, 250.5, start,
                java.util.Optional.empty(),
                new LatencySample("change", List.of(Duration.ofMillis(150), Duration.ofMillis(250))),
                new LatencySample("write", List.of(Duration.ofMillis(40), Duration.ofMillis(50))),
                List.of(new ServiceScaleReport.Memory("after programming", memory)), List.of(), 2);
        assertThat(report.summaryLine()).startsWith("service-scale services=10000 endpoints=10 mode=agent-start "
                + "last_answer_s=42.3 writes_s=250.5 change_p50_ms=150.0 change_p99_ms=250.0");
        assertThat(report.markdown())
                .contains("`./trellis bench service-scale --services 10000 --endpoints 10 --changes 2 --writers 4`\n")
                .contains("took 250.5 s (the agent stopped)")
                .contains("| seconds after the phase began | from scratch (from the agent's start) |\n| --- | ---: |\n")
                .contains("| the agent ready | 30.0 |")
                .contains("| OVS holds all 20112 flows (112 base + 10000 × 2) | 44.0 |")
                .contains("The agent logged 2 warnings")
                .doesNotContain("restart from scratch (from");
    }
}
