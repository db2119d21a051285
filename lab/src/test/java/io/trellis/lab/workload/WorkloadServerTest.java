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

    @Test
    void aUdpWhoIsAnsweredWithTheSourceAddressThePodSaw() throws Exception {
        shell.check("ip", "-n", netns, "addr", "add", "10.99.0.1/24", "dev", "lo");
        server.serve("x/a", handle, Set.of(8080));
        for (String source : new String[] {"127.0.0.1", "10.99.0.1"}) {
            String answer = switcher.call(handle, () -> {
                try (java.net.DatagramSocket socket = new java.net.DatagramSocket(
                        new java.net.InetSocketAddress(InetAddress.getByName(source), 0))) {
                    socket.setSoTimeout(1000);
                    byte[] who = WorkloadServer.WHO.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    socket.send(new java.net.DatagramPacket(who, who.length, InetAddress.getByName("127.0.0.1"), 8080));
                    java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[256], 256);
                    socket.receive(reply);
                    return new String(reply.getData(), 0, reply.getLength(), java.nio.charset.StandardCharsets.UTF_8);
                }
            });
            assertThat(answer).as("from %s", source).isEqualTo("x/a " + source);
        }
    }
}
