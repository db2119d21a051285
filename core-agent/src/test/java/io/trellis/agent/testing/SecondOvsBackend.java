package io.trellis.agent.testing;

import io.trellis.spi.TrellisBackend;

/** A vendor backend that took a name already taken: not in META-INF/services, registered only by the duplicate test. */
public final class SecondOvsBackend implements TrellisBackend {
    @Override
    public String name() {
        return "ovs";
    }
}
