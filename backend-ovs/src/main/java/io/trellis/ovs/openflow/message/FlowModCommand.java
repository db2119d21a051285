package io.trellis.ovs.openflow.message;

import io.trellis.ovs.openflow.OfCodecException;

/** enum ofp_flow_mod_command (OpenFlow 1.5.1 section 7.3.4.2). */
public enum FlowModCommand {
    ADD(0, "add"), MODIFY(1, "modify"), MODIFY_STRICT(2, "modify_strict"), DELETE(3, "delete"),
    DELETE_STRICT(4, "delete_strict");

    private final int wire;
    private final String ovsName;

    FlowModCommand(int wire, String ovsName) {
        this.wire = wire;
        this.ovsName = ovsName;
    }

    public int wire() {
        return wire;
    }

    /** As ovs-ofctl names it. */
    public String ovsName() {
        return ovsName;
    }

    public static FlowModCommand fromWire(int wire) {
        for (FlowModCommand c : values()) {
            if (c.wire == wire) {
                return c;
            }
        }
        throw new OfCodecException("ofp_flow_mod.command: unknown command " + wire + " (expected 0..4)");
    }
}
