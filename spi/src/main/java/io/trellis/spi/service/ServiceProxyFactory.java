package io.trellis.spi.service;

import io.trellis.spi.BackendContext;

/** Creates the backend's {@link ServiceProxy}; see {@link io.trellis.spi.TrellisBackend} for when it is called. */
@FunctionalInterface
public interface ServiceProxyFactory {

    /** Builds the proxy; throws {@link io.trellis.spi.BackendConfigException} on invalid settings. */
    ServiceProxy create(BackendContext context);
}
