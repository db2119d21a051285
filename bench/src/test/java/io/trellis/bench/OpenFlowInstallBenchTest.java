package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark small against a real sandboxed OVS. Each leg itself fails unless the bridge
 * ends up holding exactly the generated flows, so this also proves that ovs-ofctl accepts the
 * text form of every flow in the mix (FlowText) and that the Java bundle installs them all.
 */
class OpenFlowInstallBenchTest {

    @Test
    void bothLegsInstallEveryFlowAndTheReportSaysSo(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("benchmarks.md");
        OpenFlowInstallBench.Options options = new OpenFlowInstallBench.Options(2_000, 1, report);

        OpenFlowInstallBench.Result result = OpenFlowInstallBench.run(options);
        new BenchReport(report).writeSection("openflow-install", result.markdown(options));

        assertThat(result.javaFps()).isPositive();
        assertThat(result.ofctlFps()).isPositive();
        assertThat(result.summaryLine()).matches(
                "openflow-install flows=2000 java_fps=\\d+ ofctl_fps=\\d+ ratio=\\d+\\.\\d\\d");
        assertThat(Files.readString(report)).contains("<!-- bench:openflow-install begin -->")
                .contains(result.summaryLine());
    }

    @Test
    void optionsNameTheBadValue() {
        assertThatThrownBy(() -> OpenFlowInstallBench.Options.parse(new String[] {"--flows", "lots"}))
                .hasMessage("--flows takes a positive whole number, got 'lots'");
        assertThatThrownBy(() -> OpenFlowInstallBench.Options.parse(new String[] {"--speed"}))
                .hasMessageContaining("unknown option '--speed'");
    }
}
