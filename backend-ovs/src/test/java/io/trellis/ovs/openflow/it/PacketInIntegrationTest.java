package io.trellis.ovs.openflow.it;

import static io.trellis.ovs.openflow.it.ItSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.match.CtState;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.PacketIn2;
import io.trellis.ovs.openflow.message.PacketInMessage;
import io.trellis.ovs.openflow.message.PacketOut;
import io.trellis.ovs.openflow.message.RawBytes;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.NettyTransport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A packet injected with packet-out runs through a ct() pipeline and comes back to the client
 * as NXT_PACKET_IN2 carrying the registers the flows loaded, the conntrack state (new; after
 * the commit, the reply is established), the zone, the table, the reason and the controller userdata.
 */
class PacketInIntegrationTest {

    private static final int CT_ZONE = 3;
    private static final int CT_TABLE = 20;

    @Test
    void packetOutComesBackAsPacketIn2WithCtStateAndRegisters() throws Exception {
        try (OvsSandbox sandbox = OvsSandbox.start();
             NettyTransport transport = new NettyTransport(1, "it-pin")) {
            sandbox.addBridge("br0");
            Pod pod = sandbox.addPod("br0", "10.9.0.1/24", 1);
            OpenFlowClient client = ItSupport.connect(transport, sandbox, "br0");
            try {
                BlockingQueue<PacketInMessage> packetIns = new LinkedBlockingQueue<>();
                client.addPacketInListener(packetIns::add);
                List<Object> unsolicited = new java.util.concurrent.CopyOnWriteArrayList<>();
                client.addMessageListener(unsolicited::add);
                java.util.function.Supplier<String> diagnostics = () -> "unsolicited messages " + unsolicited
                        + "\nflows:\n" + sandbox.ofctl("br0", "dump-flows");

                Match udpFromPod = Match.builder().inPort(pod.ofport()).ethType(0x0800).ipProto(17).build();
                await(client.flowMods(List.of(
                        flow(0, 100, udpFromPod, setReg(OxmFields.REG0, 0x1234),
                                Action.Ct.lookup(CT_ZONE, CT_TABLE)),
                        flow(CT_TABLE, 100, Match.builder().ctState(CtState.parse("+new+trk")).ethType(0x0800)
                                        .ipProto(17).build(),
                                // controller before ct(commit): OVS clears the ct fields after a ct()
                                // without recirculation, so the packet-in would lack ct_state.
                                setReg(OxmFields.REG1, 0xab),
                                Action.Controller.withUserdata(new byte[] {0x0a, 0x0b, 0x0c, 0x0d}, false),
                                Action.Ct.commit(CT_ZONE)),
                        flow(CT_TABLE, 100, Match.builder().ctState(CtState.parse("+est+trk")).ethType(0x0800)
                                        .ipProto(17).build(),
                                setReg(OxmFields.REG1, 0xcd),
                                Action.Controller.withUserdata(new byte[] {0x0e, 0x0f}, false)))));

                byte[] frame = TestPackets.udp(mac(pod.mac()), new byte[] {2, 0, 0, 0, 0, 2},
                        new byte[] {10, 9, 0, 1}, new byte[] {10, 9, 0, 2}, 1234, 5678,
                        "probe".getBytes(StandardCharsets.US_ASCII));
                PacketOut out = PacketOut.of(pod.ofport(), List.of(Action.Output.to(Action.Output.TABLE)),
                        RawBytes.of(frame));

                await(client.packetOut(out));
                PacketIn2 first = next(packetIns, diagnostics);
                assertThat(first.packet().toArray()).isEqualTo(frame);
                assertThat(first.tableId()).isEqualTo(CT_TABLE);
                assertThat(first.reason()).isEqualTo(Action.Controller.REASON_ACTION);
                assertThat(first.userdata().toArray()).containsExactly(0x0a, 0x0b, 0x0c, 0x0d);
                assertThat(metadata(first, OxmFields.CT_STATE)).isEqualTo(CtState.NEW | CtState.TRK);
                assertThat(metadata(first, OxmFields.CT_ZONE)).isEqualTo(CT_ZONE);
                assertThat(first.register(0)).hasValue(0x1234);
                assertThat(first.register(1)).hasValue(0xab);
                assertThat(first.register(2)).isEmpty();
                assertThat(inPort(first)).isEqualTo(pod.ofport());

                // The first packet committed the connection: its reply is established (+est+rpl).
                byte[] reply = TestPackets.udp(new byte[] {2, 0, 0, 0, 0, 2}, mac(pod.mac()),
                        new byte[] {10, 9, 0, 2}, new byte[] {10, 9, 0, 1}, 5678, 1234,
                        "reply".getBytes(StandardCharsets.US_ASCII));
                await(client.packetOut(PacketOut.of(pod.ofport(), List.of(Action.Output.to(Action.Output.TABLE)),
                        RawBytes.of(reply))));
                PacketIn2 second = next(packetIns, diagnostics);
                assertThat(second.packet().toArray()).isEqualTo(reply);
                assertThat(second.userdata().toArray()).containsExactly(0x0e, 0x0f);
                assertThat(metadata(second, OxmFields.CT_STATE))
                        .isEqualTo(CtState.EST | CtState.RPL | CtState.TRK);
                assertThat(second.register(0)).hasValue(0x1234);
                assertThat(second.register(1)).hasValue(0xcd);
                assertThat(packetIns.poll(300, TimeUnit.MILLISECONDS)).as("no further packet-in").isNull();
            } finally {
                client.close();
            }
        }
    }

    private static PacketIn2 next(BlockingQueue<PacketInMessage> queue, java.util.function.Supplier<String> diagnostics)
            throws InterruptedException {
        PacketInMessage msg = queue.poll(10, TimeUnit.SECONDS);
        if (msg == null) {
            throw new AssertionError("no packet-in within 10 s; " + diagnostics.get());
        }
        assertThat(msg).isInstanceOf(PacketIn2.class);
        return (PacketIn2) msg;
    }

    private static long metadata(PacketIn2 packetIn, OxmField field) {
        Optional<MatchField> found = packetIn.metadata().stream().filter(f -> f.field().equals(field)).findFirst();
        assertThat(found).as(field.name() + " in packet-in metadata " + packetIn.metadata()).isPresent();
        return found.get().valueAsLong();
    }

    private static long inPort(PacketIn2 packetIn) {
        return packetIn.metadata().stream()
                .filter(f -> f.field().equals(OxmFields.IN_PORT) || f.field().equals(OxmFields.NXM_OF_IN_PORT))
                .findFirst().map(MatchField::valueAsLong)
                .orElseThrow(() -> new AssertionError("no in_port in " + packetIn.metadata()));
    }

    private static FlowMod flow(int table, int priority, Match match, Action... actions) {
        return FlowMod.builder(FlowModCommand.ADD).tableId(table).priority(priority).match(match)
                .instructions(List.of(Instruction.ApplyActions.of(actions))).build();
    }

    private static Action setReg(OxmField reg, long value) {
        return new Action.SetField(MatchField.exact(reg, io.trellis.ovs.openflow.match.Bytes.ofLong(value, 4)));
    }

    private static byte[] mac(String text) {
        return io.trellis.ovs.openflow.match.MacAddress.parse(text).bytes();
    }
}
