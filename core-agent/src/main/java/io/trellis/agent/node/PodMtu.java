package io.trellis.agent.node;

import io.trellis.spi.model.Mtu;

/**
 * The MTU every pod interface of this node gets, resolved once at start from {@code network.mtu}:
 * a fixed value as written, or {@code auto} as the uplink MTU minus the node route driver's
 * encapsulation overhead ({@link MtuResolver}).
 */
public record PodMtu(int value) {
    public PodMtu {
        if (value < Mtu.MIN || value > Mtu.MAX) {
            throw new IllegalArgumentException("pod MTU must be " + Mtu.MIN + ".." + Mtu.MAX + ", got " + value);
        }
    }
}
