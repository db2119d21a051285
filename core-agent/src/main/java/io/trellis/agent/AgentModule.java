package io.trellis.agent;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.node.PodMtu;

/** Binds what the agent itself resolved at start, next to {@link io.trellis.agent.backend.BackendsModule}. */
final class AgentModule extends AbstractModule {
    private final AttachmentStore store;
    private final PodMtu mtu;

    AgentModule(AttachmentStore store, PodMtu mtu) {
        this.store = requireNonNull(store, "store");
        this.mtu = requireNonNull(mtu, "mtu");
    }

    @Override
    protected void configure() {
        bind(AttachmentStore.class).toInstance(store);
        bind(PodMtu.class).toInstance(mtu);
    }
}
