package io.trellis.spi.ipam;

import io.trellis.spi.BackendContext;

/** Creates the backend's {@link IpamDriver}; see {@link io.trellis.spi.TrellisBackend} for when it is called. */
@FunctionalInterface
public interface IpamDriverFactory {

    /**
     * Builds the driver for this node. Reads the backend's settings from the context and throws
     * {@link io.trellis.spi.BackendConfigException} when they are invalid; may load its state from
     * {@link BackendContext#stateDir()}.
     */
    IpamDriver create(BackendContext context);
}
