package io.trellis.agent;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.ConfiguredBackends;
import io.trellis.agent.backend.NodeFacts;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.k8s.NodeRouteSync;
import io.trellis.agent.k8s.PodAttachmentGc;
import io.trellis.agent.k8s.ServiceSync;
import io.trellis.agent.node.PodMtu;
import io.trellis.agent.policy.PolicyAgent;
import io.trellis.cni.server.CniServer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started agent: its CNI server and its drivers. {@link #close} stops serving CNI and closes the
 * drivers, which leave the data plane as it is (pods keep their connectivity while the agent is
 * down).
 */
public final class RunningAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningAgent.class);

    private final CniServer server;
    private final ConfiguredBackends backends;
    private final Optional<NodeRouteSync> nodeRoutes;
    private final Optional<ServiceSync> services;
    private final Optional<PolicyAgent> policy;
    private final PodAttachmentGc podGc;
    private final NodeFacts node;
    private final PodMtu mtu;
    private final AttachmentStore store;
    private boolean closed;

    RunningAgent(CniServer server, ConfiguredBackends backends, Optional<NodeRouteSync> nodeRoutes,
                 Optional<ServiceSync> services, Optional<PolicyAgent> policy, PodAttachmentGc podGc, NodeFacts node, PodMtu mtu, AttachmentStore store) {
        this.server = requireNonNull(server, "server");
        this.backends = requireNonNull(backends, "backends");
        this.nodeRoutes = requireNonNull(nodeRoutes, "nodeRoutes");
        this.services = requireNonNull(services, "services");
        this.policy = requireNonNull(policy, "policy");
        this.podGc = requireNonNull(podGc, "podGc");
        this.node = requireNonNull(node, "node");
        this.mtu = requireNonNull(mtu, "mtu");
        this.store = requireNonNull(store, "store");
    }

    public NodeFacts node() {
        return node;
    }

    public PodMtu podMtu() {
        return mtu;
    }

    public CniServer cniServer() {
        return server;
    }

    public AttachmentStore attachments() {
        return store;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping: closing the CNI server and the drivers");
        try {
            server.close();
        } catch (Exception e) {
            LOG.warn("closing the CNI server failed", e);
        }
        // Stop following Pods, Nodes, Services and the policy stream before the drivers go: no driver call after its close.
        podGc.close();
        nodeRoutes.ifPresent(NodeRouteSync::close);
        services.ifPresent(ServiceSync::close);
        policy.ifPresent(PolicyAgent::close);
        backends.close();
        LOG.info("stopped");
    }
}
