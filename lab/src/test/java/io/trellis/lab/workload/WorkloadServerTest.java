package io.trellis.lab.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.lab.Shell;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Root: serves a pod in a fresh network namespace and probes it from inside that namespace over loopback. */
class WorkloadServerTest {
    private final Shell shell = new Shell();
    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private String netns;
    private NetNamespace handle;
    private WorkloadServer server;

    @BeforeEach
    void createNamespace() {
        netns = "tlw" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        shell.check("ip", "netns", "add", netns);
        shell.check("ip", "-n", netns, "link", "set", "lo", "up");
        handle = NetNamespace.named(sys, netns);
        server = new WorkloadServer(switcher);
    }

    @AfterEach
    void removeNamespace() {
        server.close();
        handle.close();
        shell.run("ip", "netns", "del", netns);
    }

    @Test
    void answersWithThePodNameOnTcpAndUdpUntilStopped() {
        server.serve("x/a", handle, Set.of(8080, 8081));
        ProbeClient client = new ProbeClient(switcher, Duration.ofMillis(500));
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int port : new int[] {8080, 8081}) {
            assertThat(client.probe(handle, lo, port, ProbeClient.Protocol.TCP, "x/a")).as("tcp %d", port).isTrue();
            assertThat(client.probe(handle, lo, port, ProbeClient.Protocol.UDP, "x/a")).as("udp %d", port).isTrue();
            // The answer must name the expected pod, not just any pod.
            assertThat(client.probe(handle, lo, port, ProbeClient.Protocol.TCP, "x/b")).isFalse();
            assertThat(client.probe(handle, lo, port, ProbeClient.Protocol.UDP, "x/b")).isFalse();
        }
        // The sockets live in the pod's namespace, not in this process's.
        try (NetNamespace own = NetNamespace.ofCurrentThread(sys)) {
            assertThat(new ProbeClient(switcher, Duration.ofMillis(300))
                    .probe(own, lo, 8080, ProbeClient.Protocol.TCP, "x/a")).isFalse();
        }

        server.stop("x/a");
        assertThat(client.probe(handle, lo, 8080, ProbeClient.Protocol.TCP, "x/a")).isFalse();
        assertThat(client.probe(handle, lo, 8081, ProbeClient.Protocol.UDP, "x/a")).isFalse();
    }
}
