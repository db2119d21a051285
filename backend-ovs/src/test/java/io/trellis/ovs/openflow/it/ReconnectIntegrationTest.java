package io.trellis.ovs.openflow.it;

import static io.trellis.ovs.openflow.it.ItSupport.await;
import static io.trellis.ovs.openflow.it.ItSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.client.ConnectionState;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowDisconnectedException;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** ovs-vswitchd is killed and restarted (twice); the client notices, reconnects and works again. */
class ReconnectIntegrationTest {

    @Test
    void clientReconnectsAfterVswitchdRestart() {
        try (OvsSandbox sandbox = OvsSandbox.start();
             NettyTransport transport = new NettyTransport(1, "it-reconnect")) {
            sandbox.addBridge("br0");
            OpenFlowClient client = ItSupport.connect(transport, sandbox, "br0");
            try {
                List<ConnectionState> states = new CopyOnWriteArrayList<>();
                client.addConnectionListener(states::add);
                await(client.flowMod(flow(1, Action.Output.to(1))));
                assertThat(ItSupport.ofctlFlows(sandbox, "br0", "table=1")).hasSize(1);

                for (int round = 2; round <= 3; round++) {
                    int before = states.size();
                    sandbox.killVswitchd();
                    ItSupport.eventually("client reports DISCONNECTED", Duration.ofSeconds(10),
                            () -> states.size() > before && states.get(states.size() - 1) == ConnectionState.DISCONNECTED);
                    assertThat(client.isConnected()).isFalse();
                    assertThat(failureOf(client.barrier())).isInstanceOf(OpenFlowDisconnectedException.class);

                    sandbox.startVswitchd();
                    ItSupport.eventually("client reports CONNECTED again", Duration.ofSeconds(20),
                            () -> states.get(states.size() - 1) == ConnectionState.CONNECTED);
                    assertThat(client.isConnected()).isTrue();

                    // A restarted ovs-vswitchd starts with an empty table; the client must work again.
                    assertThat(ItSupport.ofctlFlows(sandbox, "br0", "table=1")).isEmpty();
                    await(client.flowMod(flow(round, Action.Output.to(round))));
                    assertThat(ItSupport.ofctlFlows(sandbox, "br0", "table=1"))
                            .extracting(OfctlFlow::actions).containsExactly("output:" + round);
                }
                assertThat(states).containsExactly(ConnectionState.DISCONNECTED, ConnectionState.CONNECTED,
                        ConnectionState.DISCONNECTED, ConnectionState.CONNECTED);
            } finally {
                client.close();
            }
        }
    }

    private static FlowMod flow(int priority, Action action) {
        return FlowMod.builder(FlowModCommand.ADD).tableId(1).priority(priority).match(Match.ANY)
                .instructions(List.of(Instruction.ApplyActions.of(action))).build();
    }
}
