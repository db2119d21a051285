package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * OFPT_PACKET_OUT. In 1.5 (struct ofp15_packet_out, section 7.3.7) the packet's pipeline fields
 * travel as a match (in_port, and with OVS also metadata, registers and tunnel fields); 1.3
 * (struct ofp_packet_out) has only an in_port field, so encoding 1.3 accepts a match holding
 * in_port alone.
 */
public record PacketOut(int xid, int bufferId, Match match, List<Action> actions, RawBytes data) implements OfMessage {

    public PacketOut {
        requireNonNull(match, "match");
        actions = List.copyOf(requireNonNull(actions, "actions"));
        requireNonNull(data, "data");
    }

    /** An unbuffered packet entering as if from {@code inPort} (use {@link OfConstants#PORT_CONTROLLER} for none). */
    public static PacketOut of(int inPort, List<Action> actions, RawBytes data) {
        return new PacketOut(0, OfConstants.NO_BUFFER, inPortMatch(inPort), actions, data);
    }

    /** An unbuffered packet with pipeline fields (1.5 only beyond in_port). */
    public static PacketOut withMatch(Match match, List<Action> actions, RawBytes data) {
        return new PacketOut(0, OfConstants.NO_BUFFER, match, actions, data);
    }

    static Match inPortMatch(int inPort) {
        return new Match(List.of(MatchField.exact(OxmFields.IN_PORT, ByteBuffer.allocate(4).putInt(inPort).array())));
    }

    /** The in_port field of the match, or OFPP_CONTROLLER when it has none. */
    public int inPort() {
        for (MatchField f : match.fields()) {
            if (f.field().equals(OxmFields.IN_PORT)) {
                return (int) f.valueAsLong();
            }
        }
        return OfConstants.PORT_CONTROLLER;
    }

    @Override
    public PacketOut withXid(int xid) {
        return new PacketOut(xid, bufferId, match, actions, data);
    }
}
