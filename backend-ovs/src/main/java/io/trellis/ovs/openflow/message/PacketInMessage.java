package io.trellis.ovs.openflow.message;

import io.trellis.ovs.openflow.match.MatchField;
import java.util.List;
import java.util.OptionalLong;

/** A packet sent to the controller: standard OFPT_PACKET_IN or Nicira NXT_PACKET_IN2. */
public sealed interface PacketInMessage extends OfMessage permits PacketIn, PacketIn2 {

    /** OFPR_* reasons (section 7.4.1). */
    int REASON_TABLE_MISS = 0;
    int REASON_APPLY_ACTION = 1;
    int REASON_INVALID_TTL = 2;
    int REASON_ACTION_SET = 3;
    int REASON_GROUP = 4;
    int REASON_PACKET_OUT = 5;

    /** The packet bytes (possibly truncated to max_len). */
    RawBytes packet();

    int tableId();

    long cookie();

    int reason();

    /** Pipeline fields at the time of the packet-in: in_port, registers, ct_state, tunnel, metadata ... */
    List<MatchField> metadataFields();

    /**
     * Register {@code reg<index>} (0..15) from the metadata, whichever form OVS used: NXM_NX_REGn,
     * the 64-bit OXM_OF_PKT_REG (xreg, two registers, high half = even register) or the 128-bit
     * NXM_NX_XXREG. Empty when the register is zero (OVS omits zero registers) or absent.
     */
    default OptionalLong register(int index) {
        if (index < 0 || index > 15) {
            throw new IllegalArgumentException("register index must be 0..15, got " + index);
        }
        for (MatchField f : metadataFields()) {
            int cls = f.field().oxmClass();
            int field = f.field().field();
            byte[] v = f.value();
            int offset = -1;
            if (cls == 0x0001 && field == index && v.length == 4) {
                offset = 0;
            } else if (cls == 0x8001 && field == index / 2 && v.length == 8) {
                offset = (index % 2) * 4;
            } else if (cls == 0x0001 && field == 111 + index / 4 && v.length == 16) {
                offset = (index % 4) * 4;
            }
            if (offset >= 0) {
                long r = 0;
                for (int i = 0; i < 4; i++) {
                    r = (r << 8) | (v[offset + i] & 0xff);
                }
                return OptionalLong.of(r);
            }
        }
        return OptionalLong.empty();
    }
}
