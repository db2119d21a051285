package io.trellis.spi.pod;

import io.trellis.spi.BackendContext;

/** Creates the backend's {@link PodInterfaceDriver}; see {@link io.trellis.spi.TrellisBackend} for when it is called. */
@FunctionalInterface
public interface PodInterfaceDriverFactory {

    /** Builds the driver; throws {@link io.trellis.spi.BackendConfigException} on invalid settings. */
    PodInterfaceDriver create(BackendContext context);
}
