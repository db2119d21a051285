package io.trellis.ovs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sandbox itself: isolation, CLI wrappers, daemon restarts, cleanup and the leftover sweep. */
class OvsSandboxTest {

    @Test
    void startsIsolatedOvsWithBridgeAndPodsAndCleansUp() throws Exception {
        Path dir;
        String netns;
        try (OvsSandbox sandbox = OvsSandbox.start()) {
            dir = sandbox.runDir();
            netns = sandbox.netns();
            assertThat(netns).matches("trs[0-9a-f]{6}").hasSizeLessThanOrEqualTo(15);
            assertThat(netnsList()).contains(netns);
            assertThat(sandbox.dbSocket()).exists();

            sandbox.addBridge("br0");
            assertThat(sandbox.bridgeMgmtSocket("br0")).exists();
            assertThat(sandbox.vsctl("list-br")).isEqualToIgnoringWhitespace("br0");
            assertThat(sandbox.vsctl("get", "bridge", "br0", "datapath_type").strip()).isEqualTo("netdev");

            sandbox.ofctl("br0", "add-flow", "table=3,priority=7,ip,actions=drop");
            assertThat(sandbox.ofctl("br0", "dump-flows")).contains("table=3", "priority=7,ip", "actions=drop");

            Pod a = sandbox.addPod("br0", "10.9.0.1/24", 5);
            Pod b = sandbox.addPod("br0", "10.9.0.2/24", 6);
            assertThat(a.netns()).hasSizeLessThanOrEqualTo(15);
            assertThat(a.bridgePort()).hasSizeLessThanOrEqualTo(15);
            assertThat(sandbox.ofctl("br0", "dump-ports-desc")).contains(" 5(" + a.bridgePort() + ")",
                    " 6(" + b.bridgePort() + ")");
            sandbox.ofctl("br0", "add-flow", "table=0,priority=0,actions=NORMAL");
            String ping = sandbox.execIn(a.netns(), "ping", "-c", "2", "-i", "0.2", "-W", "2", b.ipv4());
            assertThat(ping).contains("2 received");

            assertThatThrownBy(() -> sandbox.ofctl("br0", "add-flow", "no_such_field=1,actions=drop"))
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessageContaining("no_such_field");
            assertThatThrownBy(() -> sandbox.execIn("not-mine", "true"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dir).doesNotExist();
        assertThat(netnsList()).noneMatch(ns -> ns.startsWith(netns));
    }

    @Test
    void vswitchdAndOvsdbRestartKeepTheConfiguration() {
        try (OvsSandbox sandbox = OvsSandbox.start()) {
            sandbox.addBridge("br1");
            sandbox.killVswitchd();
            assertThat(sandbox.vswitchdRunning()).isFalse();
            assertThatThrownBy(() -> sandbox.ofctl("br1", "dump-flows")).isInstanceOf(CommandFailedException.class);
            sandbox.startVswitchd();
            assertThat(sandbox.vswitchdRunning()).isTrue();
            assertThat(sandbox.ofctl("br1", "dump-flows")).contains("actions=NORMAL");

            sandbox.killOvsdb();
            assertThatThrownBy(() -> sandbox.vsctl("--timeout=2", "list-br")).isInstanceOf(RuntimeException.class);
            sandbox.startOvsdb();
            assertThat(sandbox.vsctl("list-br")).contains("br1");
        }
    }

    @Test
    void sweepRemovesLeftoversOfDeadOwnersOnly() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String orphanId = "trs" + "ffff" + String.format("%02x", (int) (ProcessHandle.current().pid() % 256));
        Path orphanDir = OvsSandbox.BASE_DIR.resolve(orphanId);
        Files.createDirectories(orphanDir);
        Files.writeString(orphanDir.resolve("owner"), dead.pid() + " 1\n");
        new ProcessBuilder("ip", "netns", "add", orphanId).inheritIO().start().waitFor();
        new ProcessBuilder("ip", "netns", "add", orphanId + "p1").inheritIO().start().waitFor();
        assertThat(netnsList()).contains(orphanId, orphanId + "p1");

        try (OvsSandbox live = OvsSandbox.start()) { // start() sweeps
            assertThat(orphanDir).doesNotExist();
            assertThat(netnsList()).doesNotContain(orphanId, orphanId + "p1");

            OvsSandbox.sweepLeftovers(); // must not touch a sandbox whose owner (this JVM) lives
            assertThat(live.runDir()).exists();
            assertThat(netnsList()).contains(live.netns());
        }
    }

    private static List<String> netnsList() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().map(l -> l.split("\\s+")[0]).toList();
    }
}
