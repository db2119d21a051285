package io.trellis.agent.backend;

import io.trellis.spi.TrellisBackend;

/** The five concerns a backend can provide, by the key that selects them under {@code backends:}. */
public enum Concern {
    IPAM("ipam", true),
    POD_INTERFACE("podInterface", true),
    NODE_ROUTES("nodeRoutes", false),
    SERVICE_PROXY("serviceProxy", false),
    POLICY("policy", false);

    private final String configKey;
    private final boolean required;

    Concern(String configKey, boolean required) {
        this.configKey = configKey;
        this.required = required;
    }

    /** The key under {@code backends:} in the agent configuration. */
    public String configKey() {
        return configKey;
    }

    /**
     * Whether every agent needs it: a pod cannot start without an address and an interface, while
     * routes to other nodes, Service proxying and policy may be left to something else ({@code none}).
     */
    public boolean required() {
        return required;
    }

    /** Whether {@code backend} offers a factory for this concern. */
    public boolean providedBy(TrellisBackend backend) {
        return switch (this) {
            case IPAM -> backend.ipam().isPresent();
            case POD_INTERFACE -> backend.podInterface().isPresent();
            case NODE_ROUTES -> backend.nodeRoutes().isPresent();
            case SERVICE_PROXY -> backend.serviceProxy().isPresent();
            case POLICY -> backend.policy().isPresent();
        };
    }
}
