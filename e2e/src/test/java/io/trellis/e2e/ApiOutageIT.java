package io.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.testing.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent with its API server unreachable for 20 s: it keeps running and keeps the data plane
 * (pods keep talking, the overlay flows to a remote node stay), a CNI ADD still succeeds (host-local
 * IPAM and OVS need no API server), and once the server is back the agent resyncs within seconds:
 * the Node changes made meanwhile reach the flow table, and a Pod deleted meanwhile (without the
 * runtime's DEL) has its attachment released by the pod GC after its grace period.
 */
class ApiOutageIT {
    private static final Logger LOG = LoggerFactory.getLogger(ApiOutageIT.class);
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    /** 20 ms apart: 1,750 echo requests span the outage with some seconds before and after. */
    private static final int PINGS = 1750;
    private static final String REMOTE_1 = "e2e-remote-1";
    private static final String REMOTE_1_CIDR = "10.98.1.0/24";
    private static final String REMOTE_2 = "e2e-remote-2";
    private static final String REMOTE_2_CIDR = "10.98.2.0/24";
    /** TrellisAgent.POD_GC_GRACE, plus time for the sweep. */
    private static final Duration POD_GC = Duration.ofSeconds(75);

    private final Traffic traffic = new Traffic();
    private AgentNode node;

    @BeforeEach
    void startNode() {
        node = AgentNode.start(TrellisHome.locate(),
                new AgentNode.Options("10.98.0.0/24", "192.168.98.2", 1400).withNodeRoutes());
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theAgentKeepsTheDataPlaneAndServesCniWhileTheApiServerIsDownAndResyncsWhenItIsBack() throws Exception {
        ApiStandInProcess api = node.api();
        // addPod creates each Pod in the API stand-in first.
        AttachedPod a = node.addPod("web", "a");
        AttachedPod b = node.addPod("web", "b");
        AttachedPod d = node.addPod("web", "d");
        api.createNode(REMOTE_1, REMOTE_1_CIDR, "192.168.98.11");
        await("the overlay flow of " + REMOTE_1, Duration.ofSeconds(15), () -> hasRouteTo(REMOTE_1_CIDR));
        List<String> flowsBefore = node.flowTable();

        try (Traffic.TcpSession session = traffic.session(b.netns().name(), b.ip(), a.netns().name())) {
            assertThat(session.roundTrip("before")).isEqualTo("echo before");
            Process ping = new ProcessBuilder("ip", "netns", "exec", a.netns().name(), "ping", "-q", "-n", "-i", "0.02",
                    "-W", "1", "-c", Integer.toString(PINGS), b.ip()).redirectErrorStream(true).start();
            CompletableFuture<String> pingOutput = CompletableFuture.supplyAsync(() -> readAll(ping));
            try {
                Thread.sleep(2000);
                long agentPid = node.agent().pid();
                api.stop();
                long stoppedAt = System.nanoTime();
                LOG.info("API stand-in stopped");

                // While the agent cannot see it: remote-1 leaves, remote-2 joins, pod d is deleted
                // without a CNI DEL, pod c is created (its ADD below).
                api.deleteNode(REMOTE_1);
                api.createNode(REMOTE_2, REMOTE_2_CIDR, "192.168.98.12");
                api.deletePod("web", "d");
                api.createPod("web", "c");   // addPod below finds it there

                await("the agent noticing the outage", Duration.ofSeconds(10),
                        () -> agentLog().contains("Nodes: lost the watch")
                                && agentLog().contains("Pods on node " + AgentNode.NODE_NAME + ": lost the watch"));
                // CNI ADD needs no API server: host-local IPAM and OVS.
                AttachedPod c = node.addPod("web", "c");
                CommandResult cToA = node.exec(c.netns().name(), List.of("ping", "-c", "2", "-i", "0.2", "-W", "2", a.ip()));
                assertThat(cToA.succeeded()).as("pod c, attached during the outage, reaches a: %s", cToA).isTrue();
                int rounds = 0;
                while (System.nanoTime() - stoppedAt < OUTAGE.toNanos()) {
                    assertThat(session.roundTrip("outage " + rounds)).isEqualTo("echo outage " + rounds);
                    rounds++;
                    Thread.sleep(1000);
                }
                assertThat(ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false))
                        .as("the agent runs through the outage").isTrue();
                assertThat(node.agent().isAlive()).isTrue();
                assertThat(routesTo(REMOTE_1_CIDR)).as("the flows to %s stay while the API server is down", REMOTE_1)
                        .isNotEmpty();
                assertThat(hasRouteTo(REMOTE_2_CIDR)).as("nothing of %s is known yet", REMOTE_2).isFalse();
                assertThat(node.flowTable()).as("the overlay flows are the same as before the outage")
                        .containsAll(routesIn(flowsBefore));

                api.start();
                long back = System.nanoTime();
                LOG.info("API stand-in listening again after {} ms", (back - stoppedAt) / 1_000_000);
                await("the Node changes made during the outage applied", Duration.ofSeconds(10),
                        () -> hasRouteTo(REMOTE_2_CIDR) && !hasRouteTo(REMOTE_1_CIDR));
                long applied = System.nanoTime();
                LOG.info("Node changes applied {} ms after the API server was back", (applied - back) / 1_000_000);
                assertThat(Duration.ofNanos(applied - back)).isLessThan(Duration.ofSeconds(10));
                assertThat(routesTo(REMOTE_2_CIDR)).anyMatch(f -> f.contains("192.168.98.12"));
                await("the pod GC noticing pod d's deletion", Duration.ofSeconds(10),
                        () -> agentLog().contains("pod GC: pod web/d of attachment " + d.containerId()));
                assertThat(session.roundTrip("after")).isEqualTo("echo after");

                String output = pingOutput.get(60, TimeUnit.SECONDS);
                Matcher m = PING_SUMMARY.matcher(output);
                assertThat(m.find()).as("ping summary in %s", output).isTrue();
                LOG.info("ping a -> b across the outage: {}", m.group());
                assertThat(Integer.parseInt(m.group(1))).isEqualTo(PINGS);
                assertThat(Integer.parseInt(m.group(2))).as("echo replies across the outage (%s)", output.strip())
                        .isEqualTo(PINGS);

                // Pod d was deleted without a DEL: the GC releases it after its grace period, the
                // others stay (their pods exist, c's created while the agent could not see it).
                await("pod d's attachment released by the pod GC", POD_GC, () -> agentLog().contains(
                        "pod GC: released attachment " + d.containerId() + "/eth0 of pod web/d"));
                assertThat(node.bridgePorts()).doesNotContain(d.hostInterface())
                        .contains(a.hostInterface(), b.hostInterface(), c.hostInterface());
                assertThat(node.linkExists(node.netns(), d.hostInterface())).as("d's host veth").isFalse();
                assertThat(agentLog()).doesNotContain("pod GC: pod web/a ", "pod GC: pod web/b ", "pod GC: pod web/c ");
                CommandResult aToB = node.exec(a.netns().name(), List.of("ping", "-c", "2", "-i", "0.2", "-W", "2", b.ip()));
                assertThat(aToB.succeeded()).as("a -> b at the end: %s", aToB).isTrue();
            } finally {
                ping.destroyForcibly();
            }
        }
    }

    private boolean hasRouteTo(String cidr) {
        return !routesTo(cidr).isEmpty();
    }

    /** The overlay's L3 flows for a remote pod CIDR. */
    private List<String> routesTo(String cidr) {
        return node.flowTable().stream().filter(f -> f.contains("nw_dst=" + cidr)).toList();
    }

    private static List<String> routesIn(List<String> flows) {
        return flows.stream().filter(f -> f.contains("nw_dst=" + REMOTE_1_CIDR)).toList();
    }

    private String agentLog() {
        try {
            return Files.readString(node.agent().log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what + "\nflows:\n"
                        + String.join("\n", node.flowTable()) + "\nagent log:\n" + Logs.tail(node.agent().log(), 40));
            }
            Thread.sleep(200);
        }
    }

    private static String readAll(Process process) {
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
