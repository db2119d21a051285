package io.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.ipam.hostlocal.HostLocalIpamDriver;
import io.trellis.ipam.hostlocal.PodCidrSource;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command through picocli's {@link CommandLine#execute}, output captured. */
class TrellisctlTest {

    @TempDir
    Path dir;

    /** One run: exit code, stdout, stderr. */
    private record Run(int exitCode, String out, String err) {
    }

    /** The backends on this module's test class path: the shipped host-local and ovs (via core-agent). */
    private static Run run(String... args) {
        CommandLine cli = Trellisctl.commandLine(() -> BackendRegistry.discover(TrellisctlTest.class.getClassLoader()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    // ------------------------------------------------------------------ version

    @Test
    void versionNamesTheReleaseTheRuntimeAndTheBackends() {
        Run r = run("version");
        assertThat(r.exitCode()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("trellisctl " + TrellisVersion.version());
        assertThat(TrellisVersion.version()).matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?");
        assertThat(lines.get(1)).startsWith("java " + Runtime.version());
        // The shipped backends come onto the class path with core-agent; others may join them later.
        assertThat(lines.get(2)).isEqualTo("backends:");
        assertThat(lines.subList(3, lines.size()))
                .anyMatch(l -> l.matches("  host-local +ipam"))
                .anyMatch(l -> l.matches("  ovs +(.*, )?podInterface(, .*)?"));
        assertThat(r.err()).isEmpty();
        assertThat(run("--version").out()).isEqualTo("trellisctl " + TrellisVersion.version() + System.lineSeparator());
    }

    // ------------------------------------------------------------------ config validate

    @Test
    void aValidConfigurationIsOk() throws Exception {
        Path file = write("agent.yaml", """
                backends:
                  ipam: host-local
                  podInterface: ovs
                network:
                  mtu: 1450
                settings:
                  ovs:
                    datapathType: netdev
                """);
        Run r = run("config", "validate", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("OK: " + file + "\n"
                + "backends: ipam=host-local podInterface=ovs nodeRoutes=none serviceProxy=none policy=none\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void theShippedDefaultConfigurationIsValidAgainstTheShippedBackends() {
        Path shipped = Path.of("..", "config", "trellis-agent.yaml").toAbsolutePath().normalize();
        Run r = run("config", "validate", shipped.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("OK: " + shipped);
    }

    @Test
    void everyProblemIsPrintedWithItsFieldPath() throws Exception {
        Path file = write("bad.yaml", """
                backends:
                  ipam: host-lokal
                  podInterface: ovs
                  policy: host-local
                  bogus: 1
                network:
                  mtu: big
                settings:
                  ovs:
                    datapathType: kernel
                """);
        Run r = run("config", "validate", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        List<String> lines = r.err().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).isEqualTo(file + ": invalid agent configuration (5 problems):");
        assertThat(lines.get(1)).isEqualTo(
                "  backends.bogus: unknown key (known: ipam, podInterface, nodeRoutes, serviceProxy, policy)");
        assertThat(lines.get(2)).startsWith("  backends.ipam: unknown backend 'host-lokal' (available: ")
                .contains("host-local", "ovs");
        assertThat(lines.get(3)).isEqualTo("  backends.policy: backend 'host-local' does not provide policy (it provides: ipam)");
        assertThat(lines.subList(4, 6)).containsExactly(
                "  network.mtu: expected 'auto' or an integer, got string 'big'",
                "  settings.ovs.datapathType: expected system or netdev, got 'kernel'");
    }

    @Test
    void aMissingFileOrArgumentIsReported() {
        Path missing = dir.resolve("nope.yaml");
        Run r = run("config", "validate", missing.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith(missing + ": invalid agent configuration (1 problem):\n  cannot read the file: ");

        Run usage = run("config", "validate");
        assertThat(usage.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(usage.err()).contains("Missing required parameter: 'FILE'", "Usage: trellisctl config validate");
    }

    // ------------------------------------------------------------------ ipam list

    @Test
    void ipamListShowsAllocationsWhileTheDriverHoldsTheLock() {
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(dir, PodCidrSource.fixed("10.244.1.0/24"))) {
            driver.allocate(new PodAttachment("c0ffee01", "eth0", new PodRef("default", "web-1")));
            driver.allocate(new PodAttachment("c0ffee02", "eth0", new PodRef("kube-system", "coredns-5d78c9869d-abcde")));
            for (int i = 3; i <= 10; i++) {
                driver.allocate(new PodAttachment("c0ffee" + i, "eth0", new PodRef("load", "p" + i)));
            }
            for (int i = 3; i <= 9; i++) {
                driver.release(new PodAttachment("c0ffee" + i, "eth0", new PodRef("load", "p" + i)));
            }

            Run r = run("ipam", "list", "--state-dir", dir.toString());

            assertThat(r.exitCode()).as(r.err()).isZero();
            String row = "%-14s  %-36s  %-9s  %s%n";
            assertThat(r.out()).isEqualTo(String.format(row, "ADDRESSES", "POD", "INTERFACE", "CONTAINER")
                    + String.format(row, "10.244.1.2/24", "default/web-1", "eth0", "c0ffee01")
                    + String.format(row, "10.244.1.3/24", "kube-system/coredns-5d78c9869d-abcde", "eth0", "c0ffee02")
                    + String.format(row, "10.244.1.11/24", "load/p10", "eth0", "c0ffee10")
                    + "10.244.1.0/24: 3 of 253 addresses allocated, last handed out 10.244.1.11\n");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void ipamListReportsUnreadableFilesAndFailsAndNamesAMissingDirectory() throws Exception {
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(dir, PodCidrSource.fixed("10.244.1.0/24"))) {
            driver.allocate(new PodAttachment("c1", "eth0", new PodRef("default", "a")));
        }
        Files.writeString(dir.resolve("allocations/10.244.1.9.json"), "{");
        Run r = run("ipam", "list", "--state-dir", dir.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("10.244.1.2/24  default/a");
        assertThat(r.err()).startsWith("error: " + dir.resolve("allocations/10.244.1.9.json") + ": not valid JSON");

        Run empty = run("ipam", "list", "--state-dir", dir.resolve("allocations/none").toString());
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).isEqualTo("trellisctl ipam list: host-local state dir " + dir.resolve("allocations/none")
                + " does not exist (or is not a directory)\n");
    }

    @Test
    void ipamListOfAFreshDirectorySaysSo() {
        Run r = run("ipam", "list", "--state-dir", dir.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("no allocations in " + dir + "\n");
    }

    // ------------------------------------------------------------------ usage

    @Test
    void wrongUsageExitsWithTwoAndHelp() {
        Run none = run();
        assertThat(none.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(none.err()).contains("Missing required subcommand", "config", "ipam", "version");
        Run unknown = run("ipam", "lsit");
        assertThat(unknown.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(unknown.err()).contains("Unmatched argument at index 1: 'lsit'");
        assertThat(run("ipam", "list", "--help").out()).contains("--state-dir=DIR", IpamListCommand.DEFAULT_STATE_DIR);
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
