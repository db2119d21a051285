package io.trellis.ovs.openflow.it;

import static io.trellis.ovs.openflow.it.ItSupport.await;
import static io.trellis.ovs.openflow.it.ItSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowErrorException;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.Bucket;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.GroupType;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Errors OVS really sends come back as exceptions with readable text, and leave nothing half-done. */
class ErrorIntegrationTest {

    @Test
    void ovsErrorsAreReportedReadablyAndBundlesStayAtomic() {
        try (OvsSandbox sandbox = OvsSandbox.start();
             NettyTransport transport = new NettyTransport(1, "it-err")) {
            sandbox.addBridge("br0");
            OpenFlowClient client = ItSupport.connect(transport, sandbox, "br0");
            try {
                Throwable missingGroup = failureOf(client.flowMod(flow(3, 10, new Action.Group(99))));
                assertThat(missingGroup).isInstanceOf(OpenFlowErrorException.class);
                assertThat(missingGroup.getMessage()).contains("OFPBAC_BAD_OUT_GROUP", "FLOW_MOD");
                OpenFlowErrorException error = (OpenFlowErrorException) missingGroup;
                assertThat(error.error().type()).isEqualTo(2); // OFPET_BAD_ACTION
                assertThat(error.error().code()).isEqualTo(9); // OFPBAC_BAD_OUT_GROUP

                GroupMod group = GroupMod.add(7, GroupType.ALL, List.of(Bucket.of(0, List.of(Action.Output.to(1)))));
                await(client.groupMod(group));
                Throwable exists = failureOf(client.groupMod(group));
                assertThat(exists).isInstanceOf(OpenFlowErrorException.class);
                assertThat(exists.getMessage()).contains("OFPGMFC_GROUP_EXISTS", "GROUP_MOD");

                // A bundle whose third message fails applies none of its messages.
                Throwable bundle = failureOf(client.bundle(List.of(
                        flow(4, 1, Action.Output.to(1)),
                        flow(4, 2, Action.Output.to(2)),
                        flow(4, 3, new Action.Group(98)))));
                assertThat(bundle).isInstanceOf(OpenFlowErrorException.class);
                assertThat(bundle.getMessage()).contains("OFPBAC_BAD_OUT_GROUP");
                assertThat(ItSupport.ofctlFlows(sandbox, "br0", "table=4")).isEmpty();

                // The connection is still usable and in sync after the errors.
                await(client.flowMod(flow(4, 1, Action.Output.to(1))));
                assertThat(ItSupport.ofctlFlows(sandbox, "br0", "table=4"))
                        .extracting(OfctlFlow::actions).containsExactly("output:1");
            } finally {
                client.close();
            }
        }
    }

    private static FlowMod flow(int table, int priority, Action... actions) {
        return FlowMod.builder(FlowModCommand.ADD).tableId(table).priority(priority).match(Match.ANY)
                .instructions(List.of(Instruction.ApplyActions.of(actions))).build();
    }
}
