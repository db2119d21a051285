package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayThroughputBenchTest {

    private static Iperf3Result mbps(double mbps, long retransmits) {
        return new Iperf3Result(mbps * 1e6, mbps * 1e6 * 1.01, retransmits, 10.0, 1, 1398);
    }

    private static OverlayThroughputBench.Result result(List<Iperf3Result> ours, List<Iperf3Result> minimal) {
        return new OverlayThroughputBench.Result(10, ours, minimal, 1450, 1450, "0.50 0.40 0.30 (1, 5, 15 min)",
                "1.50 0.60 0.35 (1, 5, 15 min)", Path.of("/x/shared/recipes/ovs-two-node-lab.sh"));
    }

    @Test
    void optionsHaveDefaultsAndNameBadValues() {
        OverlayThroughputBench.Options defaults = OverlayThroughputBench.Options.parse(new String[0]);
        assertThat(defaults.seconds()).isEqualTo(10);
        assertThat(defaults.runs()).isEqualTo(3);
        assertThat(defaults.recipe()).isNull();
        OverlayThroughputBench.Options given = OverlayThroughputBench.Options.parse(
                new String[] {"--seconds", "5", "--runs", "4", "--recipe", "/r.sh", "--report", "b.md"});
        assertThat(given.seconds()).isEqualTo(5);
        assertThat(given.runs()).isEqualTo(4);
        assertThat(given.recipe()).isEqualTo(Path.of("/r.sh"));
        assertThat(given.report()).isEqualTo(Path.of("b.md"));

        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--seconds", "ten"}))
                .hasMessage("--seconds takes a whole number, got 'ten'");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--runs", "0"}))
                .hasMessage("--runs takes 1 to 50, got 0");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--recipe"}))
                .hasMessage("--recipe takes a path");
        assertThatThrownBy(() -> OverlayThroughputBench.Options.parse(new String[] {"--streams", "2"}))
                .hasMessageContaining("unknown option '--streams'");
    }

    @Test
    void medianOfEachSetupAndTheirRatio() {
        OverlayThroughputBench.Result odd = result(List.of(mbps(300, 1), mbps(100, 2), mbps(200, 3)),
                List.of(mbps(400, 4), mbps(600, 5), mbps(500, 6)));
        assertThat(odd.oursMbps()).isEqualTo(200.0);
        assertThat(odd.minimalMbps()).isEqualTo(500.0);
        assertThat(odd.ratio()).isEqualTo(0.4);

        OverlayThroughputBench.Result even = result(List.of(mbps(100, 0), mbps(300, 0)),
                List.of(mbps(250, 0), mbps(150, 0)));
        assertThat(even.oursMbps()).isEqualTo(200.0);
        assertThat(even.minimalMbps()).isEqualTo(200.0);
        assertThat(even.summaryLine())
                .isEqualTo("overlay-throughput seconds=10 runs=2 ours_mbps=200 minimal_mbps=200 ratio=1.00");
    }

    @Test
    void unevenRunCountsAreRejected() {
        List<Iperf3Result> one = List.of(mbps(1, 0));
        assertThatThrownBy(() -> result(one, List.of())).hasMessage("runs: 1 ours, 0 minimal");
        assertThatThrownBy(() -> result(new ArrayList<>(), new ArrayList<>())).hasMessage("runs: 0 ours, 0 minimal");
    }

    @Test
    void theReportSectionListsEveryRunAndKeepsTheOtherSections(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("docs/benchmarks.md");
        BenchReport report = new BenchReport(file);
        report.writeSection("cni-latency", "## cni-latency\nkept as it was");
        OverlayThroughputBench.Result r = result(List.of(mbps(311, 17), mbps(322, 18), mbps(333, 19)),
                List.of(mbps(411, 27), mbps(422, 28), mbps(433, 29)));

        report.writeSection(OverlayThroughputBench.NAME, r.markdown());
        report.writeSection(OverlayThroughputBench.NAME, r.markdown());

        String doc = Files.readString(file);
        assertThat(doc).contains("kept as it was");
        assertThat(doc.split("<!-- bench:overlay-throughput begin -->", -1)).hasSize(2);
        assertThat(doc).contains("## overlay-throughput")
                .contains("Command: `./trellis bench overlay-throughput --seconds 10 --runs 3`")
                .contains("`ovs-two-node-lab.sh`")
                .contains("Pod MTU: ours 1450 (TCP MSS 1398), minimal 1450 (TCP MSS 1398).")
                .contains("when the run started: 0.50 0.40 0.30 (1, 5, 15 min); when it ended: 1.50 0.60 0.35")
                .contains("| 1 | 311 | 17 | 411 | 27 |")
                .contains("| 2 | 322 | 18 | 422 | 28 |")
                .contains("| 3 | 333 | 19 | 433 | 29 |")
                .contains(r.summaryLine())
                .contains("ratio=0.76");
        assertThat(doc.indexOf("## cni-latency")).isLessThan(doc.indexOf("## overlay-throughput"));
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
}
