package io.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.testing.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent killed with SIGKILL while pods talk, then started again: the pods' traffic never
 * notices (the flows stay in ovs-vswitchd; the restarted agent rebuilds its pods from OVSDB and
 * replaces its flows in one bundle), and the flow table afterwards is exactly a fresh install's.
 */
class AgentRestartIT {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRestartIT.class);
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    /** 10 ms apart: 3,000 echo requests span 30 s, enough for a kill and a restart on a busy machine. */
    private static final int PINGS = 3000;

    private final Traffic traffic = new Traffic();
    private AgentNode node;

    @BeforeEach
    void startNode() {
        node = AgentNode.start(TrellisHome.locate(), new AgentNode.Options("10.97.0.0/24", "192.168.97.2", 1450));
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void podsKeepTalkingThroughAKilledAndRestartedAgentAndTheFlowTableIsAFreshInstalls() throws Exception {
        AttachedPod a = node.addPod("web", "a");
        AttachedPod b = node.addPod("web", "b");
        List<String> before = node.flowTable();
        assertThat(before).containsExactlyInAnyOrderElementsOf(node.expectedFlowTable(List.of(a, b)));

        try (Traffic.TcpSession session = traffic.session(b.netns().name(), b.ip(), a.netns().name())) {
            assertThat(session.roundTrip("before")).isEqualTo("echo before");
            Process ping = new ProcessBuilder("ip", "netns", "exec", a.netns().name(), "ping", "-q", "-n", "-i", "0.01",
                    "-W", "1", "-c", Integer.toString(PINGS), b.ip()).redirectErrorStream(true).start();
            CompletableFuture<String> pingOutput = CompletableFuture.supplyAsync(() -> readAll(ping));
            try {
                Thread.sleep(1000);
                long oldPid = node.agent().pid();
                long killedAt = System.nanoTime();
                node.agent().kill();
                assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)).as("old agent").isFalse();
                // Without an agent the data plane carries on, and the CNI socket file is left behind.
                Thread.sleep(1000);
                assertThat(session.roundTrip("agent down")).isEqualTo("echo agent down");

                node.startAgent();
                long readyAt = System.nanoTime();
                LOG.info("agent killed, restarted and ready again after {} ms", (readyAt - killedAt) / 1_000_000);
                assertThat(session.roundTrip("after")).isEqualTo("echo after");
                Thread.sleep(1500);
                assertThat(ping.isAlive()).as("the ping stream still runs 1.5 s after the agent was ready again "
                        + "(else the restart took too long for this test to cover it)").isTrue();

                String output = pingOutput.get(60, TimeUnit.SECONDS);
                Matcher m = PING_SUMMARY.matcher(output);
                assertThat(m.find()).as("ping summary in %s", output).isTrue();
                int sent = Integer.parseInt(m.group(1));
                int received = Integer.parseInt(m.group(2));
                LOG.info("ping stream across the restart: {}", m.group());
                assertThat(sent).isEqualTo(PINGS);
                assertThat(received).as("echo replies across the kill and restart (ping: %s)", output.strip())
                        .isEqualTo(sent);
            } finally {
                ping.destroyForcibly();
            }
        }

        List<String> after = node.flowTable();
        assertThat(after).as("flow table after the restart").containsExactlyInAnyOrderElementsOf(before)
                .containsExactlyInAnyOrderElementsOf(node.expectedFlowTable(List.of(a, b)));

        // The restarted agent serves CNI as before: a new pod reaches the old ones; deleting it
        // restores the table.
        AttachedPod c = node.addPod("web", "c");
        CommandResult ping = node.exec(c.netns().name(), List.of("ping", "-c", "2", "-i", "0.2", "-W", "2", a.ip()));
        assertThat(ping.succeeded()).as("new pod c -> a: %s", ping).isTrue();
        assertThat(node.flowTable()).containsExactlyInAnyOrderElementsOf(node.expectedFlowTable(List.of(a, b, c)));
        assertThat(node.deletePod(c).succeeded()).isTrue();
        assertThat(node.flowTable()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void aRestartedAgentReplacesAStaleOrForeignFlowOfItsOwnAndRestoresAMissingOne() {
        AttachedPod a = node.addPod("web", "a");
        AttachedPod b = node.addPod("web", "b");
        List<String> fresh = node.flowTable();
        int ofportB = node.ofport(b.hostInterface());

        node.agent().kill();
        // While the agent is down: one of its flows disappears, a stale one with its cookie appears
        // (as a crash in the middle of an update would leave), and a flow of somebody else is added.
        String victim = fresh.stream().filter(l -> l.contains("in_port=" + ofportB + ",")).findFirst().orElseThrow();
        String victimMatch = victim.substring(victim.indexOf("table="), victim.indexOf(" actions="))
                .replace(" ", "");
        node.sandbox().ofctl(AgentNode.BRIDGE, "del-flows", "--strict", victimMatch);
        node.sandbox().ofctl(AgentNode.BRIDGE, "add-flow",
                "cookie=0x7472020100000063,table=0,priority=200,in_port=99,actions=drop");
        node.sandbox().ofctl(AgentNode.BRIDGE, "add-flow", "cookie=0x99,table=60,priority=5,actions=drop");
        assertThat(node.flowTable()).doesNotContain(victim);

        node.startAgent();
        List<String> expected = new java.util.ArrayList<>(fresh);
        expected.add("cookie=0x99, table=60, priority=5 actions=drop");
        assertThat(node.flowTable()).containsExactlyInAnyOrderElementsOf(expected);
        CommandResult ping = node.exec(a.netns().name(), List.of("ping", "-c", "2", "-i", "0.2", "-W", "2", b.ip()));
        assertThat(ping.succeeded()).as("a -> b after the restart: %s", ping).isTrue();
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
