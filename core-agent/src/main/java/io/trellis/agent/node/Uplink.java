package io.trellis.agent.node;

import static java.util.Objects.requireNonNull;

/** The node's interface toward other nodes, as far as MTU resolution cares: its name and MTU. */
public record Uplink(String name, int mtu) {
    public Uplink {
        requireNonNull(name, "name");
        if (mtu <= 0) {
            throw new IllegalArgumentException("uplink " + name + ": MTU must be positive, got " + mtu);
        }
    }
}
