package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.trellis.bench.CpuSnapshot.MachineTicks;
import io.trellis.bench.CpuSnapshot.ProcessTicks;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuUsageTest {

    private static final String PROC_STAT = """
            cpu  1000 50 2000 9000 100 30 270 0 0 0
            cpu0 500 25 1000 4500 50 15 135 0 0 0
            cpu1 500 25 1000 4500 50 15 135 0 0 0
            intr 12345 0 0
            ctxt 999
            """;

    @Test
    void procStatFoldsNiceIntoUserIowaitIntoIdleAndBothIrqsTogether() {
        MachineTicks t = MachineTicks.parse(PROC_STAT);
        assertThat(t).isEqualTo(new MachineTicks(1050, 2000, 300, 9100, 0, 2));
        assertThat(t.total()).isEqualTo(12450);
        assertThatThrownBy(() -> MachineTicks.parse("intr 1\n")).hasMessage("/proc/stat without the 'cpu' and 'cpuN' lines");
        assertThatThrownBy(() -> MachineTicks.parse("cpu  1 2 3\ncpu0 1 2 3\n"))
                .hasMessageContaining("has 3 counters, expected at least 8");
        assertThatThrownBy(() -> MachineTicks.parse("cpu  1 2 x 4 5 6 7 8\ncpu0 1\n"))
                .hasMessage("/proc/stat 'cpu' counter 3 is not a number: 'x'");
    }

    @Test
    void processesAreGroupedByNameUpToASlash() {
        assertThat(ProcessTicks.groupName("12 (ksoftirqd/1) S 2 0 0")).isEqualTo("ksoftirqd");
        assertThat(ProcessTicks.groupName("13 (kworker/0:1-events) I 2")).isEqualTo("kworker");
        assertThat(ProcessTicks.groupName("14 (ovs-vswitchd) S 1")).isEqualTo("ovs-vswitchd");
        assertThat(ProcessTicks.groupName("15 (a (b) c) S 1")).isEqualTo("a (b) c");
        assertThatThrownBy(() -> ProcessTicks.groupName("15 nocomm S")).hasMessageContaining("without '(comm)'");
    }

    @Test
    void jvmsOfTheBenchAreToldFromOtherWork() {
        String agent = "java\0-cp\0/tmp/h/core-agent/target/classes\0io.trellis.agent.TrellisAgent\0--config\0"
                + "/tmp/trellis-bench-overlay/lab-ovs/nodes/node-1/trellis-agent.yaml\0";
        assertThat(CpuSnapshot.javaGroup(false, agent, "/tmp/trellis-bench-overlay")).isEqualTo("java (bench)");
        assertThat(CpuSnapshot.javaGroup(false, "java\0org.codehaus.plexus.classworlds.launcher.Launcher\0",
                "/tmp/trellis-bench-overlay")).isEqualTo("java (other)");
        assertThat(CpuSnapshot.javaGroup(true, "java\0io.trellis.bench.OverlayThroughputBench\0",
                "/tmp/trellis-bench-overlay")).isEqualTo("java (bench)");
    }

    @Test
    void betweenTwoSnapshotsCountsDifferencesNewProcessesAndTheChildren() {
        CpuSnapshot before = new CpuSnapshot(0, new MachineTicks(1000, 1000, 100, 5000, 0, 2),
                Map.of(1L, new ProcessTicks("ovs-vswitchd", 10.0), 2L, new ProcessTicks("java", 5.0),
                        3L, new ProcessTicks("ended", 1.0), 4L, new ProcessTicks("old", 7.0)),
                3.0);
        CpuSnapshot after = new CpuSnapshot(10_000_000_000L, new MachineTicks(1300, 1500, 300, 5900, 0, 2),
                Map.of(1L, new ProcessTicks("ovs-vswitchd", 18.5), 2L, new ProcessTicks("java", 5.0),
                        4L, new ProcessTicks("new", 0.25), 5L, new ProcessTicks("java", 1.5)),
                7.5);

        CpuUsage u = CpuUsage.between(before, after);

        assertThat(u.wallSeconds()).isEqualTo(10.0);
        assertThat(u.cpus()).isEqualTo(2);
        assertThat(u.userSeconds()).isCloseTo(3.0, within(1e-9));
        assertThat(u.systemSeconds()).isCloseTo(5.0, within(1e-9));
        assertThat(u.irqSeconds()).isCloseTo(2.0, within(1e-9));
        assertThat(u.idleSeconds()).isCloseTo(9.0, within(1e-9));
        // pid 4 now runs another program: counted from zero; pid 2 idle: left out
        assertThat(u.processSeconds()).containsOnlyKeys("ovs-vswitchd", "new", "java");
        assertThat(u.processSeconds().get("ovs-vswitchd")).isCloseTo(8.5, within(1e-9));
        assertThat(u.processSeconds().get("java")).isCloseTo(1.5, within(1e-9));
        assertThat(u.iperf3Seconds()).isCloseTo(4.5, within(1e-9));
        assertThat(u.busyPercent()).isCloseTo(52.63, within(0.01));
        assertThat(u.machineSplit()).isEqualTo("busy 53% (user 16%, system 26%, irq+softirq 11%)");
        assertThat(u.busiestText()).isEqualTo("ovs-vswitchd 85%, java 15%, new 3%");
    }

    @Test
    void usagesOfSeveralRunsAddUp() {
        CpuUsage a = new CpuUsage(10, 2, 1, 2, 3, 4, 0, Map.of("x", 1.0, "y", 2.0), 1);
        CpuUsage b = new CpuUsage(5, 2, 1, 1, 1, 1, 1, Map.of("y", 3.0, "z", 0.5), 2);
        CpuUsage sum = a.plus(b);
        assertThat(sum).isEqualTo(new CpuUsage(15, 2, 2, 3, 4, 5, 1, Map.of("x", 1.0, "y", 5.0, "z", 0.5), 3));
        assertThat(sum.busiestText()).isEqualTo("y 33%, x 7%, z 3%");
        assertThatThrownBy(() -> new CpuUsage(0, 2, 0, 0, 0, 0, 0, Map.of(), 0))
                .hasMessage("wallSeconds must be positive, got 0.0");
    }
}
