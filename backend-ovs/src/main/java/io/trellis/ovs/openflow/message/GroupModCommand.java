package io.trellis.ovs.openflow.message;

import io.trellis.ovs.openflow.OfCodecException;

/**
 * enum ofp_group_mod_command (OpenFlow 1.5.1 section 7.3.4.3); INSERT_BUCKET and REMOVE_BUCKET are
 * 1.5 only, ADD_OR_MOD (0x8000) is OVS's extension (openflow-1.5.h OFPGC15_ADD_OR_MOD).
 */
public enum GroupModCommand {
    ADD(0), MODIFY(1), DELETE(2), INSERT_BUCKET(3), REMOVE_BUCKET(5), ADD_OR_MOD(0x8000);

    private final int wire;

    GroupModCommand(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static GroupModCommand fromWire(int wire) {
        for (GroupModCommand c : values()) {
            if (c.wire == wire) {
                return c;
            }
        }
        throw new OfCodecException("ofp_group_mod.command: unknown command " + wire);
    }
}
