package io.trellis.ovs.openflow.message;

import io.trellis.ovs.openflow.OfCodecException;

/** enum ofp_group_type (OpenFlow 1.5.1 section 7.3.4.3). */
public enum GroupType {
    ALL(0, "all"), SELECT(1, "select"), INDIRECT(2, "indirect"), FAST_FAILOVER(3, "ff");

    private final int wire;
    private final String ovsName;

    GroupType(int wire, String ovsName) {
        this.wire = wire;
        this.ovsName = ovsName;
    }

    public int wire() {
        return wire;
    }

    /** As ovs-ofctl names it ({@code type=select}). */
    public String ovsName() {
        return ovsName;
    }

    public static GroupType fromWire(int wire) {
        for (GroupType t : values()) {
            if (t.wire == wire) {
                return t;
            }
        }
        throw new OfCodecException("ofp_group_mod.type: unknown group type " + wire + " (expected 0..3)");
    }
}
