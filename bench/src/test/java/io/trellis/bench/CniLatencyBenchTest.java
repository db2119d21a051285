package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.e2e.TrellisHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark small (5 pods) against the real agent and OVS. The run itself fails unless
 * every ADD and DEL succeeded and the bridge held exactly the expected ports and flows after each
 * phase; here the numbers and the report are checked.
 */
class CniLatencyBenchTest {
    private static final Pattern SUMMARY = Pattern.compile("cni-latency pods=5 add_p50_ms=(\\d+\\.\\d) "
            + "add_p99_ms=(\\d+\\.\\d) del_p50_ms=(\\d+\\.\\d) del_p99_ms=(\\d+\\.\\d) version_p50_ms=(\\d+\\.\\d)");

    @Test
    void fivePodsAddAndDeleteAndTheReportHoldsTheNumbers(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("benchmarks.md");
        CniLatencyBench.Options options = new CniLatencyBench.Options(5, 5, report);

        CniLatencyBench.Result result = CniLatencyBench.run(options, TrellisHome.locate());
        new BenchReport(report).writeSection(CniLatencyBench.NAME, result.markdown(options));

        assertThat(result.add().samples()).hasSize(5);
        assertThat(result.del().samples()).hasSize(5);
        assertThat(result.version().samples()).hasSize(5);
        Matcher m = SUMMARY.matcher(result.summaryLine());
        assertThat(m.matches()).as(result.summaryLine()).isTrue();
        double addP50 = Double.parseDouble(m.group(1));
        double addP99 = Double.parseDouble(m.group(2));
        double delP50 = Double.parseDouble(m.group(3));
        double delP99 = Double.parseDouble(m.group(4));
        double versionP50 = Double.parseDouble(m.group(5));
        // Sane: a process spawn costs something, p50 never exceeds p99, and nothing took a minute.
        assertThat(addP50).isPositive().isLessThanOrEqualTo(addP99).isLessThan(60_000);
        assertThat(delP50).isPositive().isLessThanOrEqualTo(delP99).isLessThan(60_000);
        assertThat(versionP50).isPositive().isLessThan(60_000);
        // ADD does everything VERSION does (spawn, JVM start-up) plus the agent's work.
        assertThat(result.add().minMillis()).isGreaterThan(result.version().minMillis() / 2);
        assertThat(Files.readString(report)).contains("<!-- bench:cni-latency begin -->", result.summaryLine(),
                "| ADD | 5 |", "| DEL | 5 |", "| VERSION | 5 |",
                "Command: `./trellis bench cni-latency --pods 5 --version-runs 5`");
    }

    @Test
    void optionsNameTheBadValue() {
        assertThatThrownBy(() -> CniLatencyBench.Options.parse(new String[] {"--pods", "many"}))
                .hasMessage("--pods takes a whole number, got 'many'");
        assertThatThrownBy(() -> CniLatencyBench.Options.parse(new String[] {"--pods", "0"}))
                .hasMessageContaining("--pods takes 1 to 1000");
        assertThatThrownBy(() -> CniLatencyBench.Options.parse(new String[] {"--parallel"}))
                .hasMessageContaining("unknown option '--parallel'");
        assertThat(CniLatencyBench.Options.parse(new String[0])).isEqualTo(new CniLatencyBench.Options(100, 100, null));
    }
}
