package io.trellis.spi.node;

import io.trellis.spi.BackendContext;

/** Creates the backend's {@link NodeRouteDriver}; see {@link io.trellis.spi.TrellisBackend} for when it is called. */
@FunctionalInterface
public interface NodeRouteDriverFactory {

    /** Builds the driver; throws {@link io.trellis.spi.BackendConfigException} on invalid settings. */
    NodeRouteDriver create(BackendContext context);
}
