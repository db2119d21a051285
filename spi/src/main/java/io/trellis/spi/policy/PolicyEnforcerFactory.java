package io.trellis.spi.policy;

import io.trellis.spi.BackendContext;

/** Creates the backend's {@link PolicyEnforcer}; see {@link io.trellis.spi.TrellisBackend} for when it is called. */
@FunctionalInterface
public interface PolicyEnforcerFactory {

    /** Builds the enforcer; throws {@link io.trellis.spi.BackendConfigException} on invalid settings. */
    PolicyEnforcer create(BackendContext context);
}
