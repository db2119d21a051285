package io.trellis.ovs.pipeline;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.match.Match;

/**
 * Where a packet entered the bridge, written by {@link PipelineStage#CLASSIFIER} into
 * {@code reg0[0..3]} ({@link #REGISTER}, {@link #MASK}) so later stages can tell gateway traffic
 * from pod traffic without repeating per-port matches.
 */
public enum PacketSource {
    /** The gateway port: the node itself, or traffic the node routed to the pods. */
    GATEWAY(1),
    /** A pod on this node. */
    LOCAL_POD(2),
    /** The tunnel port: a pod on another node, sent through the overlay. */
    TUNNEL(3);

    /** Nicira register holding the source class. */
    public static final int REGISTER = 0;
    /** The register bits used: 0..3. */
    public static final long MASK = 0xf;

    private final int value;

    PacketSource(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** {@code set_field:V/0xf->reg0}. */
    Action mark() {
        return Action.SetField.reg(REGISTER, value, MASK);
    }

    /** Adds {@code reg0=V/0xf} to a match. */
    Match.Builder matchOn(Match.Builder match) {
        return match.reg(REGISTER, value, MASK);
    }
}
